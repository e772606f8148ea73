// The agent as a library, for the platform: its configuration (the same variables and messages), the
// bucket, the listing of backups, the layout of keys and the manifest's shape. The platform lists the
// bucket with these; the dumps and restores themselves run in the agent's process (agent.ts), in a Job
// in the store's namespace, so no backup passes through the platform. `./core` is the part without
// the S3 client.
export { Bucket } from './bucket.ts';
export * from './core.ts';
export { type Listing, listBackups } from './list.ts';
export { loadManifest } from './stored-manifest.ts';
export { manifestFor } from './verify.ts';
