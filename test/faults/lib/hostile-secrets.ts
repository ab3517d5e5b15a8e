/**
 * Secret hunting for the privacy scenario: every form a secret could take in an artifact (raw, base64 and
 * base64url at any byte alignment, URL-encoded, JSON-escaped), long-running child processes whose output is kept,
 * a private password-protected Redis, and dumps of a Redis database and of directory trees (gzip members and zip
 * entries opened) as searchable text.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { filesUnder, ROOT } from './hostile-kit.js';

/** The base64 characters fully determined by `s` when it starts `k` bytes into an encoded buffer (k = 0, 1, 2). */
function base64Cores(s: Buffer, url: boolean): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    let b = Buffer.concat([Buffer.alloc(k), s]).toString('base64');
    if (url) b = b.replace(/\+/g, '-').replace(/\//g, '_');
    const start = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + s.length)) / 6);
    if (end - start >= 8) out.push(b.slice(start, end));
  }
  return out;
}

/** Every form of `secret` the hunt looks for. */
export function secretForms(secret: string): { form: string; needle: string }[] {
  const buf = Buffer.from(secret, 'utf8');
  const forms = [
    { form: 'raw', needle: secret },
    { form: 'url-encoded', needle: encodeURIComponent(secret) },
    { form: 'json-escaped', needle: JSON.stringify(secret).slice(1, -1) },
    ...base64Cores(buf, false).map((needle) => ({ form: 'base64', needle })),
    ...base64Cores(buf, true).map((needle) => ({ form: 'base64url', needle })),
  ];
  const seen = new Set<string>();
  return forms.filter((f) => f.needle.length >= 8 && !seen.has(f.needle) && seen.add(f.needle));
}

export interface Hit {
  readonly secret: string;
  readonly form: string;
  readonly artifact: string;
}

/** Searches named texts for every form of every named secret. */
export function hunt(secrets: Readonly<Record<string, string>>, artifacts: ReadonlyMap<string, string>): Hit[] {
  const hits: Hit[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const f of secretForms(value)) {
      for (const [artifact, text] of artifacts)
        if (text.includes(f.needle)) hits.push({ secret: name, form: f.form, artifact });
    }
  }
  return hits;
}

/**
 * A directory tree as searchable texts: every file as latin1 (so any byte sequence can match), plus, for gzip
 * files and zip archives, their decompressed contents, and for PDFs their extracted text.
 */
export function treeTexts(dir: string, label: string, into: Map<string, string>): number {
  let n = 0;
  for (const f of filesUnder(dir)) {
    const rel = `${label}/${path.relative(dir, f)}`;
    const bytes = readFileSync(f);
    into.set(rel, bytes.toString('latin1'));
    n += 1;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        into.set(`${rel} (gunzipped)`, gunzipSync(bytes).toString('latin1'));
      } catch {
        // not a whole gzip: the raw bytes are searched anyway
      }
    }
    if (bytes.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))) {
      const list = spawnSync('unzip', ['-Z1', f], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const entry of list) {
        const data = spawnSync('unzip', ['-p', f, entry], { maxBuffer: 1 << 30 }).stdout;
        into.set(`${rel}!${entry}`, data.toString('latin1'));
        if (data[0] === 0x1f && data[1] === 0x8b)
          into.set(`${rel}!${entry} (gunzipped)`, gunzipSync(data).toString('latin1'));
      }
    }
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
      into.set(`${rel} (pdftotext)`, spawnSync('pdftotext', [f, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout);
    }
  }
  return n;
}

/** Every key of a Redis database with its value (strings, hashes, lists, sets, sorted sets, streams) as text. */
export async function dumpRedis(redis: Redis): Promise<{ keys: number; text: string }> {
  const parts: string[] = [];
  let cursor = '0';
  let keys = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      keys += 1;
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = (await redis.getBuffer(key))?.toString('latin1');
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+', 'COUNT', 100_000);
      parts.push(`${key} ${type} ${JSON.stringify(value)}`);
      // Values as stored, too (JSON.stringify above escapes them once more).
      parts.push(
        typeof value === 'string'
          ? value
          : Object.values((value ?? {}) as Record<string, unknown>)
              .map(String)
              .join('\n'),
      );
    }
  } while (cursor !== '0');
  return { keys, text: parts.join('\n') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  out(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<number | null>;
}

/** A long-running child process (a worker, `serve`, a Redis) whose stdout and stderr are kept whole. */
export function startProc(name: string, cmd: string, args: readonly string[], env: Record<string, string>): Proc {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onData = (d: Buffer): void => {
    text += d.toString('utf8');
    for (const w of [...waiters]) {
      const m = w.re.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name,
    child,
    out: () => text,
    waitFor(re, timeoutMs = 120_000) {
      const m = re.exec(text);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no ${String(re)} within ${timeoutMs} ms:\n${text.slice(-3000)}`)),
          timeoutMs,
        );
        waiters.push({ re, resolve: (x) => (clearTimeout(timer), resolve(x)) });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** `node --import tsx <script> ARGS` as a long-running process. */
export function startTsx(name: string, script: string, args: readonly string[], env: Record<string, string>): Proc {
  return startProc(name, process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], env);
}
