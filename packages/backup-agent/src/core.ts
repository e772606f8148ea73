// The agent's library without its S3 client: configuration, keys, the layout of keys in the bucket and
// the manifest. Loading it costs the platform no S3 SDK (some 15 MiB), so a platform that backs up to
// its volume pays nothing for the bucket it does not use; index.ts adds the bucket itself.
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
export { type Manifest, type PartEntry, parseManifest } from './manifest.ts';
