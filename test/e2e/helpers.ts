/**
 * Helpers of the end-to-end tests: run the real CLI as a child process, read a store, and compare the items of a
 * live collection with those of an export-directory collection of the same data.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: unknown;
}

/** Runs `auditpack <args>` with tsx, the environment reduced to PATH/HOME plus `env` (no real AWS settings leak in). */
export function runCli(args: readonly string[], env: Record<string, string>, timeoutMs = 240_000): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), [resolve(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        CI: 'true',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown = null;
      try {
        json = JSON.parse(stdout) as unknown;
      } catch {
        // not JSON: the test shows stdout/stderr
      }
      resolvePromise({ code, stdout, stderr, json });
    });
  });
}

export async function storeItems(dir: string): Promise<EvidenceItem[]> {
  const out: EvidenceItem[] = [];
  for await (const item of new LocalDirectoryStore(dir).listItems({})) out.push(item);
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

export async function storeContent(dir: string, item: EvidenceItem): Promise<unknown> {
  if (!item.content) return null;
  return JSON.parse((await new LocalDirectoryStore(dir).getBlob(item.content.sha256)).toString('utf8')) as unknown;
}

/** A readable label of an item for diffs. */
export function label(i: EvidenceItem): string {
  return `${i.collector} ${i.kind} ${i.account}/${i.region} ${i.resource ?? '-'} ${i.status.state} @${i.observedAt.type === 'instant' ? i.observedAt.at : `${i.observedAt.start}..${i.observedAt.end}`}`;
}

export interface IdDiff {
  readonly common: number;
  readonly onlyExport: EvidenceItem[];
  readonly onlyLive: EvidenceItem[];
}

/** Items whose id is in one set and not the other. */
export function diffIds(exported: readonly EvidenceItem[], live: readonly EvidenceItem[]): IdDiff {
  const a = new Map(exported.map((i) => [i.id, i]));
  const b = new Map(live.map((i) => [i.id, i]));
  return {
    common: [...a.keys()].filter((k) => b.has(k)).length,
    onlyExport: [...a.values()].filter((i) => !b.has(i.id)),
    onlyLive: [...b.values()].filter((i) => !a.has(i.id)),
  };
}

export function ids(items: readonly EvidenceItem[]): string[] {
  return items.map((i) => i.id).sort();
}

/** Kinds of items, counted. */
export function kindCounts(items: readonly EvidenceItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}
