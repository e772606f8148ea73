// Where backups are kept: a directory (BACKUP_DIR; a PersistentVolume in the platform chart). A part
// is written beside its final name and renamed into place only once complete, so a crash mid-write
// never leaves a part that looks whole.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface PartWriter {
  stream: Writable;
  /** Ends the stream and makes the part visible; returns its size in bytes. */
  commit(): Promise<number>;
  /** Ends the stream and throws the partial part away. */
  abort(): Promise<void>;
}

export interface BackupStorage {
  /** Human-readable location, for logs and the README. */
  readonly description: string;
  write(key: string): Promise<PartWriter>;
  read(key: string): Promise<Readable>;
  /** Removes a key and everything under it; a missing key is not an error. */
  remove(key: string): Promise<void>;
}

export class DirectoryBackupStorage implements BackupStorage {
  private readonly root: string;

  constructor(directory: string) {
    this.root = resolve(directory);
  }

  get description(): string {
    return this.root;
  }

  async write(key: string): Promise<PartWriter> {
    const path = this.path(key);
    const partial = `${path}.partial`;
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(partial, { mode: 0o600 });
    const end = async () => {
      if (!stream.writableEnded) stream.end();
      await finished(stream);
    };
    return {
      stream,
      commit: async () => {
        await end();
        await rename(partial, path);
        return (await stat(path)).size;
      },
      abort: async () => {
        stream.destroy();
        await rm(partial, { force: true });
      },
    };
  }

  async read(key: string): Promise<Readable> {
    const path = this.path(key);
    await stat(path);
    return createReadStream(path);
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { recursive: true, force: true });
  }

  /** Keys are ids joined by '/': nothing may climb out of the directory. */
  private path(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep))
      throw new Error(`backup key escapes the storage directory: ${key}`);
    return path;
  }
}
