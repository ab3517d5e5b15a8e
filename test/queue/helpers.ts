/**
 * Helpers of the queue tests: a unique Redis key prefix per test (cleaned up after), queue settings tuned for
 * quick recovery, the example estate, worker child processes with their JSON log lines, and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { storedItemFiles } from '../fixtures/store-files.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { generateExample } from '../../examples/northwind/generate.js';
import { QueueSection, type QueueSettings } from '../../src/queue/settings.js';
import { redisTarget, type RedisTarget } from '../../src/queue/connection.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
export const REDIS_URL = 'redis://127.0.0.1:6379/0';
/** The clock of every run in these tests (collectedAt, scheduled runs): the example estate's collection day. */
export const FIXED_NOW = '2026-11-01T06:00:00.000Z';
export const ASSESSED_AT = '2026-11-02T00:00:00.000Z';

const created: string[] = [];

/** A fresh temp directory, removed by `removeTempDirs()` (every test file calls it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  example = null;
}

/** A prefix no other test (or engineer) uses: every key of the test lives under it. */
export function uniquePrefix(): string {
  return `aptest-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key under the prefix (BullMQ's and ours). */
export async function cleanupPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function countKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    redis.disconnect();
  }
}

/** Queue settings for tests: quick stall recovery, short backoff, no health port unless asked. */
export function testSettings(prefix: string, overrides: Record<string, unknown> = {}): QueueSettings {
  return QueueSection.parse({
    prefix,
    attempts: 4,
    backoffMs: 200,
    lockDurationMs: 15_000,
    stalledIntervalMs: 2000,
    maxStalledCount: 5,
    shutdownGraceMs: 30_000,
    health: { host: '127.0.0.1', port: 0 },
    ...overrides,
  });
}

export function testTarget(prefix: string, overrides: Record<string, unknown> = {}, url = REDIS_URL): RedisTarget {
  return redisTarget(testSettings(prefix, overrides), { AUDITPACK_REDIS_URL: url });
}

let example: string | null = null;
/** The Northwind example estate, generated once per test file (deterministic). */
export async function exampleExport(): Promise<string> {
  if (!example) {
    const dir = path.join(tempDir('auditpack-nw-'), 'export');
    await generateExample(dir);
    example = dir;
  }
  return example;
}

/** A small export directory: the CLI outputs of the example (no log files), mtimes kept. */
export async function smallExport(): Promise<string> {
  const full = await exampleExport();
  const dir = path.join(tempDir('auditpack-nw-small-'), 'export');
  cpSync(path.join(full, 'cli'), path.join(dir, 'cli'), { recursive: true, preserveTimestamps: true });
  return dir;
}

/** Writes an auditpack.yaml (the queue sections included) and returns its path. */
export function writeConfig(dir: string, doc: Record<string, unknown>): string {
  const file = path.join(dir, 'auditpack.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/**
 * A worker config for the example estate (its organisation, scope and accepted risks) with the given store and
 * `queue:` section, plus any other sections (`signing:`, ...).
 */
export function writeExampleWorkerConfig(
  dir: string,
  loaded: LoadedConfig,
  o: { storeRoot: string; queue: Record<string, unknown> } & Record<string, unknown>,
): string {
  const { storeRoot, queue, ...rest } = o;
  return writeConfig(dir, {
    organisation: loaded.config.organisation,
    scope: loaded.config.scope,
    exceptions: path.join(ROOT, 'examples/northwind/exceptions.yaml'),
    store: { path: storeRoot },
    queue,
    ...rest,
  });
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly event?: string;
  readonly [k: string]: unknown;
}

export interface SpawnedWorker {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/**
 * Starts `worker/index.ts ARGS` under tsx with a clean environment; its JSON log lines are collected. Node runs
 * the file itself with tsx's loader (`node --import tsx`), so the child's pid is the worker's: the `tsx` CLI would
 * put a relay process in between, and a SIGKILL would kill the relay and leave the worker running.
 */
export function spawnWorker(
  args: readonly string[],
  env: Record<string, string>,
  script = 'worker/index.ts',
): SpawnedWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      LOG_LEVEL: 'info',
      AUDITPACK_FIXED_NOW: FIXED_NOW,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: LogLine[] = [];
  let raw = '';
  let buf = '';
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    raw += text;
    buf += text;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const parsed = JSON.parse(line) as LogLine;
        lines.push(parsed);
        for (const w of [...waiters]) {
          if (w.pred(parsed)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(parsed);
          }
        }
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => raw,
    exited,
    waitForLog(pred, timeoutMs = 120_000) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr:\n${raw.slice(-4000)}`)),
          timeoutMs,
        );
        waiters.push({
          pred,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`worker exited before the log line; stderr:\n${raw.slice(-4000)}`));
        });
      });
    },
  };
}

/** Polls `fn` until it returns a value other than undefined/false; generous timeouts, no timing assertions. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 180_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Files in a directory (non-recursive), [] when it does not exist. */
export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** `<id>.json` for every item of a local store: its record files and the items inside its segments. */
export function recordFiles(storeRoot: string): string[] {
  return storedItemFiles(storeRoot);
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const QUEUE_CLI = 'test/queue/fixtures/cli.ts';

/** Runs the queue commands (test/queue/fixtures/cli.ts) as a child process with a clean environment. */
export function runQueueCli(
  args: readonly string[],
  env: Record<string, string>,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, QUEUE_CLI), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        CI: 'true',
        LOG_LEVEL: 'warn',
        AUDITPACK_FIXED_NOW: FIXED_NOW,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Kills what is still running (SIGKILL) and waits until it has exited, so nothing writes to Redis after cleanup. */
export async function killAll(processes: readonly SpawnedWorker[]): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
}
