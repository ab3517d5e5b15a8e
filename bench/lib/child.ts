/**
 * Runs a measurement in its own Node process, so its peak RSS is its own (`process.resourceUsage().maxRSS`) and
 * one suite's heap does not slow the next. The child script prints one JSON line on stdout as its last line:
 * `{"seconds": n, ...extra}`; `peakRssMb` is added from the child's own resource usage when it reports `maxRssKb`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ChildReport {
  seconds: number;
  maxRssKb?: number;
  [key: string]: unknown;
}

/** `script` is relative to bench/ (e.g. "child/ingest.ts") or absolute; `nodeArgs` e.g. ["--cpu-prof"]. */
export function runChild(script: string, args: readonly string[], opts: { nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ChildReport> {
  const file = path.isAbsolute(script) ? script : path.join(BENCH_ROOT, script);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...opts.env },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${last}`));
      try {
        resolve(JSON.parse(last) as ChildReport);
      } catch {
        reject(new Error(`${script} printed no JSON report: ${last.slice(0, 200)}`));
      }
    });
  });
}

/** For child scripts: the report line, with this process's peak RSS. */
export function report(seconds: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ seconds, maxRssKb: process.resourceUsage().maxRSS, ...extra }) + '\n');
}

export function peakRssMb(r: ChildReport): number | undefined {
  return r.maxRssKb === undefined ? undefined : r.maxRssKb / 1024;
}

/** Wall time of a shell pipeline (e.g. `zcat … | jq …`), for peers that are not Node. */
export function timeShell(command: string, cwd: string): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${command} exited ${code}`));
      resolve({ seconds, stdout: out });
    });
  });
}
