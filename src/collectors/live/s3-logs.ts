import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CollectionFailure } from '../../aws/errors.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import { dayWindow } from '../../normalizers/cloudtrail/activity.js';
import { NormalizeError } from '../../normalizers/types.js';
import type { AnyObservation } from '../../evidence/observation.js';
import { emitAll, errorObservation, type Emit } from '../../sources/export-dir/emit.js';
import { DEFAULT_LIMITS, type FileInput, type ReadLimits } from '../../sources/export-dir/read.js';
import { sha256Hex } from '../../util/canonical-json.js';
import type { LiveContext } from './types.js';

/**
 * Reading AWS log files that a service delivered to S3 (CloudTrail, Bedrock invocation logs), one object at a time,
 * through the same handlers as the export directory, so a file yields the same evidence items whichever way it
 * was fetched. The object key plays the part of the export directory's relative path: handlers only look at the
 * part from `AWSLogs/` on, so a bucket key prefix changes nothing.
 */

/** IAM actions this module's calls need (`ListObjectsV2` is authorized by `s3:ListBucket`). */
export const S3_LOG_OPERATIONS = ['s3:ListBucket', 's3:GetObject'] as const;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of every UTC day that the window `[start, end)` overlaps, oldest first. */
export function utcDays(window: { readonly start: Date; readonly end: Date }): string[] {
  const days: string[] = [];
  const end = window.end.getTime();
  for (let t = Math.floor(window.start.getTime() / DAY_MS) * DAY_MS; t < end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** `2026-10-01` → `2026/10/01`, the date part of AWS log-delivery key layouts. */
export function dayPath(day: string): string {
  return day.replaceAll('-', '/');
}

/** Joins a configured key prefix (`logs`, `logs/`, empty or absent) and the rest of a key. */
export function joinKey(prefix: string | null | undefined, rest: string): string {
  const p = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return p ? `${p}/${rest}` : rest;
}

/** One UTC day of log files under one key prefix of one bucket. */
export interface S3LogDay {
  readonly bucket: string;
  /** The day's key prefix, ending with `/`. */
  readonly prefix: string;
  readonly day: string;
}

export interface S3LogReader<R extends { account: string; region: string; day: string }> {
  readonly client: S3Client;
  /** Account that must own the bucket (`ExpectedBucketOwner`): S3 refuses the call otherwise. */
  readonly expectedOwner: string;
  /** Collector and kind of the error item for a file that cannot be read (too large). */
  readonly collector: string;
  readonly kind: EvidenceKind;
  /** The file's route (account, region, day from its key), or null for keys that are not log files. */
  readonly route: (key: string) => R | null;
  readonly handle: (file: FileInput, route: R, emit: Emit) => Promise<void>;
  /** Where the items go (the collector's counting emit); the handler gets it with the GetObject call in provenance. */
  readonly emit: Emit;
  readonly limits?: ReadLimits;
  /** `MaxKeys` per listing page (S3's default and maximum is 1,000). */
  readonly pageSize?: number;
}

export interface S3DayResult {
  /** Keys listed by this run (after the checkpoint), log files or not. */
  readonly listed: number;
  /** Log files among them (routed keys), read or not (deleted meanwhile, too large). */
  readonly logFiles: number;
  /** Log files read and handed to the handler by this run. */
  readonly read: number;
  /** True when an earlier run had already read files of this day (a checkpoint existed). */
  readonly resumed: boolean;
}

interface DayCheckpoint {
  readonly bucket: string;
  readonly prefix: string;
  /** The last key processed: the next listing starts after it. */
  readonly startAfter: string;
}

/** Checkpoint name of a day prefix: one path segment, as the store's state keys require. */
export function dayCheckpointName(loc: S3LogDay): string {
  return `s3-${loc.day}-${sha256Hex(`${loc.bucket}/${loc.prefix}`).slice(0, 16)}`;
}

function checkpointOf(value: unknown, loc: S3LogDay): DayCheckpoint | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v['bucket'] !== loc.bucket || v['prefix'] !== loc.prefix || typeof v['startAfter'] !== 'string') return undefined;
  return { bucket: loc.bucket, prefix: loc.prefix, startAfter: v['startAfter'] };
}

/**
 * Reads the log files of one day prefix: lists the keys after the day's checkpoint (S3 lists in key order, and
 * AWS names log files by delivery time), then for each log file downloads the object into memory (only that one
 * file at a time), hands it to `handle`, and moves the checkpoint past it. An aborted signal stops between files;
 * a rerun picks up after the last file handled. A key deleted between listing and download is skipped.
 *
 * Known limit of `StartAfter`: a file delivered late with a key that sorts before one already processed (same
 * minute, smaller random suffix) is not seen by later runs of that day.
 */
export async function readLogDay<R extends { account: string; region: string; day: string }>(ctx: LiveContext, reader: S3LogReader<R>, loc: S3LogDay): Promise<S3DayResult> {
  const name = dayCheckpointName(loc);
  const checkpoint = checkpointOf(await ctx.checkpoints.get(name), loc);
  const limits = reader.limits ?? DEFAULT_LIMITS;
  let listed = 0;
  let logFiles = 0;
  let read = 0;
  let token: string | undefined;
  do {
    ctx.signal.throwIfAborted();
    const input = {
      Bucket: loc.bucket,
      Prefix: loc.prefix,
      ExpectedBucketOwner: reader.expectedOwner,
      MaxKeys: reader.pageSize,
      // StartAfter only starts a listing; a continuation token carries the position from then on.
      ...(token ? { ContinuationToken: token } : { StartAfter: checkpoint?.startAfter }),
    };
    const page = await ctx.call('s3:ListBucket', (signal) => reader.client.send(new ListObjectsV2Command(input), { abortSignal: signal }));
    for (const object of page.output.Contents ?? []) {
      const key = object.Key;
      if (!key) continue;
      ctx.signal.throwIfAborted();
      listed += 1;
      const route = reader.route(key);
      // Only log files move the checkpoint: another object sorting after them must not hide files delivered later.
      if (!route) continue;
      logFiles += 1;
      if (await readOne(ctx, reader, loc.bucket, key, object.Size, object.LastModified, route, limits)) read += 1;
      await ctx.checkpoints.set(name, { bucket: loc.bucket, prefix: loc.prefix, startAfter: key } satisfies DayCheckpoint);
    }
    const next = page.output.IsTruncated ? page.output.NextContinuationToken : undefined;
    token = next && next !== token ? next : undefined;
  } while (token);
  return { listed, logFiles, read, resumed: checkpoint !== undefined };
}

async function readOne<R extends { account: string; region: string; day: string }>(
  ctx: LiveContext,
  reader: S3LogReader<R>,
  bucket: string,
  key: string,
  listedSize: number | undefined,
  listedModified: Date | undefined,
  route: R,
  limits: ReadLimits,
): Promise<boolean> {
  const where = { account: route.account, region: route.region, observedAt: dayWindow(route.day) };
  const tooLarge = (size: string): Promise<void> =>
    reader.emit(
      errorObservation(reader.kind, reader.collector, where, { rel: key }, new NormalizeError(key, `is ${size} bytes, more than the ${limits.maxFileBytes}-byte limit for one file`, 'TooLarge')),
    );
  if (listedSize !== undefined && listedSize > limits.maxFileBytes) {
    await tooLarge(String(listedSize));
    return false;
  }
  let got;
  try {
    got = await ctx.call('s3:GetObject', async (signal) => {
      const out = await reader.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: reader.expectedOwner }), { abortSignal: signal });
      // Reading the body inside the call means a connection reset mid-download is retried like any network error.
      const bytes = await readBody(out.Body, limits.maxFileBytes);
      return { $metadata: out.$metadata, bytes, lastModified: out.LastModified };
    });
  } catch (err) {
    // Deleted (lifecycle expiry) since it was listed: nothing left to read.
    if (err instanceof CollectionFailure && err.classified.category === 'not_found') return false;
    throw err;
  }
  const { bytes, lastModified } = got.output;
  if (bytes === null) {
    await tooLarge(`more than ${limits.maxFileBytes}`);
    return false;
  }
  const file: FileInput = { rel: key, bytes, sha256: sha256Hex(bytes), mtime: (lastModified ?? listedModified ?? ctx.now()).toISOString() };
  const call = { type: 'api' as const, operation: 's3:GetObject', requestId: got.requestId, endpoint: `s3://${bucket}` };
  // Provenance names both the object (key and hash, like a file) and the call that fetched it; the item id does not
  // depend on provenance, so the items equal the export directory's.
  const withCall = (obs: AnyObservation): AnyObservation => ({ ...obs, sources: [...obs.sources, call] });
  const emit: Emit = (obs) => reader.emit(withCall(obs));
  emit.many = (list) => emitAll(reader.emit, list.map(withCall));
  await reader.handle(file, route, emit);
  return true;
}

/**
 * Collects an S3 object body (a Node stream, a web stream or an SDK stream) into one Buffer, refusing bodies over
 * `maxBytes` without reading further: returns null then (the stream is released).
 */
export async function readBody(body: unknown, maxBytes: number): Promise<Buffer | null> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return body.length > maxBytes ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    let total = 0;
    // Leaving the loop early (too large) calls the iterator's return(), which destroys a Node stream.
    for await (const chunk of body as AsyncIterable<unknown>) {
      const b = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      total += b.length;
      if (total > maxBytes) return null;
      chunks.push(b);
    }
    return Buffer.concat(chunks, total);
  }
  const sdk = body as { transformToByteArray?: () => Promise<Uint8Array> };
  if (typeof sdk.transformToByteArray === 'function') {
    const bytes = await sdk.transformToByteArray();
    return bytes.length > maxBytes ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  throw new TypeError('S3 object body is neither bytes nor a stream');
}
