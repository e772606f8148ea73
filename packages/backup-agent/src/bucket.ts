// The bucket, as the agent uses it: stream an object in (multipart, a few parts in memory at a time),
// stream one out, small JSON objects, listing, removal. Every failure comes back as STORAGE_FAILED
// naming the operation and the key, never the credentials.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BucketConfig } from './config.ts';
import { AgentFailure, fail, ok, REASON, type Result } from './errors.ts';

/**
 * S3's smallest part (5 MiB), one in flight while the next is gathered: lib-storage then holds about
 * three parts of a dump at once (a second in flight measured up to 15 MiB more at the peak, for
 * little speed against a local server). S3's 10,000-part limit allows a part of up to 48 GiB.
 */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 1;

export interface OpenedObject {
  body: ReadableStream<Uint8Array>;
  size: number;
  /** Names this version of the object, so a second read gets the very bytes the first one verified. */
  etag: string;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const statusOf = (error: unknown): number | undefined =>
  error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;

export class Bucket {
  private readonly client: S3Client;
  readonly name: string;

  constructor(config: BucketConfig) {
    this.name = config.bucket;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // The SDK's default CRC32 on every request is not implemented by every S3-compatible server; each
      // part carries its own SHA-256 in the manifest, and age authenticates every 64 KiB chunk.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private failure(operation: string, key: string, error: unknown) {
    return fail('STORAGE_FAILED', `${operation} s3://${this.name}/${key} failed: ${describe(error)}`);
  }

  /** Streams `body` into `key`; the object appears only once all of it is stored. */
  async upload(key: string, body: ReadableStream<Uint8Array>): Promise<Result<void>> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.name, Key: key, Body: body, ContentType: 'application/octet-stream' },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      return ok(undefined);
    } catch (error) {
      if (error instanceof AgentFailure) return { ok: false, error: error.error };
      return this.failure('upload to', key, error);
    }
  }

  /** Starts reading `key`; with `etag`, only that version of it. */
  async open(key: string, etag?: string): Promise<Result<OpenedObject>> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.name, Key: key, IfMatch: etag }),
      );
      if (!response.Body || response.ContentLength === undefined || !response.ETag) {
        return fail('STORAGE_FAILED', `reading s3://${this.name}/${key} returned no body, length or ETag`);
      }
      return ok({
        body: response.Body.transformToWebStream(),
        size: response.ContentLength,
        etag: response.ETag,
      });
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return fail('NOT_FOUND', `s3://${this.name}/${key} does not exist`);
      if (status === 412)
        return fail('CHECKSUM_MISMATCH', `${REASON.checksum}: ${key} changed after it was verified`);
      return this.failure('reading', key, error);
    }
  }

  /** A small object's text, refused past `maxBytes`; `undefined` when there is no such object. */
  async readText(key: string, maxBytes: number): Promise<Result<string | undefined>> {
    const opened = await this.open(key);
    if (!opened.ok) return opened.error.code === 'NOT_FOUND' ? ok(undefined) : opened;
    if (opened.value.size > maxBytes) {
      await opened.value.body.cancel();
      return fail(
        'NOT_A_BACKUP',
        `${REASON.foreign}: ${key} has ${opened.value.size} bytes, more than a manifest`,
      );
    }
    try {
      return ok(await new Response(opened.value.body).text());
    } catch (error) {
      return this.failure('reading', key, error);
    }
  }

  async writeText(key: string, text: string, contentType: string): Promise<Result<void>> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.name, Key: key, Body: text, ContentType: contentType }),
      );
      return ok(undefined);
    } catch (error) {
      return this.failure('writing', key, error);
    }
  }

  /** Every key under `prefix`. */
  async listKeys(prefix: string): Promise<Result<string[]>> {
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.name, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      }
      return ok(keys);
    } catch (error) {
      return this.failure('listing', `${prefix}*`, error);
    }
  }

  async remove(key: string): Promise<Result<void>> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }));
      return ok(undefined);
    } catch (error) {
      return this.failure('removing', key, error);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
