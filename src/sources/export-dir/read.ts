import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync, type ZlibOptions } from 'node:zlib';
import { sha256Hex } from '../../util/canonical-json.js';
import { NormalizeError } from '../../normalizers/types.js';

export interface FileInput {
  /** Relative to the export root, forward slashes. */
  readonly rel: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly mtime: string;
}

export interface ReadLimits {
  /** Largest file read into memory, compressed. */
  readonly maxFileBytes: number;
  /** Largest decompressed size accepted for one gzip file. */
  readonly maxInflatedBytes: number;
  /** Largest JSON nesting accepted (deeply nested JSON can exhaust the stack of naive walkers). */
  readonly maxJsonDepth: number;
}

/**
 * A gzip file is inflated in memory, so `maxInflatedBytes` bounds what one hostile file (a gzip bomb: 1 MB that
 * inflates to gigabytes) can make a collector hold. Real CloudTrail, Bedrock and Config files are far smaller
 * (CloudTrail delivers every 5 minutes per region); and a JSON document over ~512 MB could not be decoded into one
 * string anyway.
 */
export const DEFAULT_LIMITS: ReadLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxInflatedBytes: 256 * 1024 * 1024,
  maxJsonDepth: 256,
};

export async function readInput(root: string, rel: string, limits: ReadLimits): Promise<FileInput> {
  const abs = path.join(root, rel);
  const stat = await fs.lstat(abs);
  if (!stat.isFile()) throw new NormalizeError(rel, 'is not a regular file', 'UnsafePath');
  if (stat.size > limits.maxFileBytes) {
    throw new NormalizeError(
      rel,
      `is ${stat.size} bytes, more than the ${limits.maxFileBytes}-byte limit for one file`,
      'TooLarge',
    );
  }
  const bytes = await fs.readFile(abs);
  return { rel, bytes, sha256: sha256Hex(bytes), mtime: stat.mtime.toISOString() };
}

export function gunzipInput(file: FileInput, limits: ReadLimits): Buffer {
  checkGzipHeader(file);
  try {
    return gunzipSync(file.bytes, gunzipOptions(file, limits));
  } catch (err) {
    throw gunzipError(file, limits, err);
  }
}

function checkGzipHeader(file: FileInput): void {
  if (file.bytes.length < 2 || file.bytes[0] !== 0x1f || file.bytes[1] !== 0x8b) {
    throw new NormalizeError(file.rel, 'is not gzip data (missing gzip header)', 'CorruptGzip');
  }
}

function gunzipOptions(file: FileInput, limits: ReadLimits): ZlibOptions {
  return { maxOutputLength: limits.maxInflatedBytes, chunkSize: outputChunkSize(file.bytes, limits) };
}

function gunzipError(file: FileInput, limits: ReadLimits, err: unknown): NormalizeError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger|buffer.*too large/i.test(e.message)) {
    return new NormalizeError(file.rel, `decompresses to more than the ${limits.maxInflatedBytes}-byte limit`, 'TooLarge');
  }
  const what =
    e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message) ? 'gzip data is truncated' : `gzip data is corrupt (${e.message})`;
  return new NormalizeError(file.rel, what, 'CorruptGzip');
}

/**
 * zlib's output chunk for inflating `gz`: the size its trailer announces (ISIZE, the inflated length mod 2^32),
 * so that the output is one buffer rather than hundreds of 16 KiB chunks concatenated at the end (a copy of the
 * whole file and garbage for the collector). Only a hint: bounded by what deflate can expand `gz` to, by the
 * inflate limit and by 64 MiB, and a wrong one costs only more chunks.
 */
function outputChunkSize(gz: Buffer, limits: ReadLimits): number {
  const isize = gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0;
  return Math.max(64 * 1024, Math.min(isize + 1, gz.length * 1032, limits.maxInflatedBytes + 1, 64 * 1024 * 1024));
}

export function parseJson(text: string, input: string, limits: ReadLimits): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new NormalizeError(input, `invalid JSON: ${(err as Error).message}`, 'InvalidJson');
  }
  const depth = jsonDepth(value, limits.maxJsonDepth + 1);
  if (depth > limits.maxJsonDepth) {
    throw new NormalizeError(input, `JSON is nested deeper than ${limits.maxJsonDepth} levels`, 'TooDeep');
  }
  return value;
}

/** Iterative depth measure that stops at `cap`, so hostile nesting cannot overflow the stack. */
function jsonDepth(value: unknown, cap: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max >= cap) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return max;
}

/** Strict UTF-8 decode: invalid byte sequences are an error, not silently replaced with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, input: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    // V8 cannot hold a string that long: say so, rather than blame the encoding.
    if (err instanceof RangeError || /string longer than|Invalid string length/i.test((err as Error).message)) {
      throw new NormalizeError(
        input,
        `is ${bytes.length} bytes of text, more than one JSON document can hold`,
        'TooLarge',
      );
    }
    throw new NormalizeError(input, 'is not valid UTF-8', 'InvalidUtf8');
  }
}

/** Splits JSON Lines without building one string per huge line: a line over `maxLine` bytes is reported, not parsed. */
export function* jsonLines(
  bytes: Buffer,
  maxLine: number,
): Generator<{ line: number; text: string } | { line: number; problem: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    line += 1;
    const len = end - start;
    if (len > maxLine)
      yield { line, problem: `line ${line} is ${len} bytes, more than the ${maxLine}-byte limit for one record` };
    else {
      let text: string | null = null;
      try {
        text = decoder.decode(bytes.subarray(start, end)).trim();
      } catch {
        yield { line, problem: `line ${line} is not valid UTF-8` };
      }
      if (text) yield { line, text };
    }
    start = end + 1;
  }
}
