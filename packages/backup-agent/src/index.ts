// The agent as a library, for the platform: its configuration (the same variables and messages), the
// bucket, the listing of backups, the layout of keys and the manifest's shape. The platform lists the
// bucket with these; the dumps and restores themselves run in the agent's process (agent.ts), in a Job
// in the store's namespace, so no backup passes through the platform.
export { Bucket } from './bucket.ts';
export { type BucketConfig, bucketConfigFrom, ENV, type Env } from './config.ts';
export { type AgentError, type AgentErrorCode, exitCodeOf, fail, ok, REASON, type Result } from './errors.ts';
export {
  type IdentityKey,
  keyFingerprint,
  parseIdentity,
  parseRecipient,
  type RecipientKey,
} from './keys.ts';
export { backupFolder, isSegment, MANIFEST_NAME, manifestKey } from './layout.ts';
export { type Listing, listBackups } from './list.ts';
export { type Manifest, type PartEntry, parseManifest } from './manifest.ts';
export { loadManifest } from './stored-manifest.ts';
export { manifestFor } from './verify.ts';
