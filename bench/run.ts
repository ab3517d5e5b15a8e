/**
 * `npm run bench [-- --size s|l] [--only id,...] [--out file] [--docs]`: runs the suites of bench/registry.ts,
 * prints a table of measurements and ratios, and writes bench/results.json. `--docs` also replaces the results
 * table in docs/benchmarks.md. Exit 0 when every suite ran (a missed target is reported, not a failure: benchmarks
 * are not tests), 1 when a suite threw, 2 for bad flags.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCHMARKS } from './registry.js';
import { formatDocsTable, formatTable } from './lib/table.js';
import { mergeEarlier, type MergedResults } from './lib/merge.js';
import type { BenchResult, BenchSize } from './lib/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: npm run bench -- [--size s|l] [--only ${BENCHMARKS.map((b) => b.id).join(',')}] [--out file] [--docs] [--merge file]\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        size: { type: 'string', default: 'l' },
        only: { type: 'string' },
        out: { type: 'string', default: path.join(ROOT, 'bench/results.json') },
        work: { type: 'string', default: path.join(ROOT, 'bench/.work') },
        docs: { type: 'boolean', default: false },
        merge: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(
      `npm run bench -- [--size s|l] [--only ids] [--out file] [--work dir] [--docs] [--merge earlier-results.json]\n\n--merge: the suites this run did not run are taken from an earlier results file (same size), e.g. to rerun one suite\nafter a change and keep one table.\n\nsuites:\n${BENCHMARKS.map((b) => `  ${b.id.padEnd(10)} ${b.title}`).join('\n')}\n`,
    );
    return;
  }
  const size = values.size as BenchSize;
  if (size !== 's' && size !== 'l') usage(`--size: expected s or l, got "${values.size}"`);
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of only ?? []) if (!BENCHMARKS.some((b) => b.id === id)) usage(`--only: unknown suite "${id}"`);
  const suites = BENCHMARKS.filter((b) => !only || only.includes(b.id));

  const workDir = path.resolve(values.work, size);
  mkdirSync(workDir, { recursive: true });
  const results: BenchResult[] = [];
  let failed = 0;
  for (const b of suites) {
    process.stderr.write(`bench: ${b.id}: ${b.title}\n`);
    try {
      results.push(await b.run({ size, workDir, log: (line) => process.stderr.write(`bench: ${b.id}: ${line}\n`) }));
    } catch (err) {
      failed++;
      process.stderr.write(`bench: ${b.id} failed: ${(err as Error).stack ?? String(err)}\n`);
    }
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  const generatedAt = new Date().toISOString();
  let merged: MergedResults | undefined;
  try {
    merged = values.merge ? mergeEarlier(readFileSync(values.merge, 'utf8'), size, results, BENCHMARKS) : undefined;
  } catch (err) {
    usage(`--merge ${values.merge}: ${(err as Error).message}`);
  }
  const report = {
    generatedAt,
    size,
    machine,
    results: merged?.results ?? results,
    ...(merged ? { merged: merged.from } : {}),
  };
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(formatTable(results) + '\n');
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), values.out) || values.out}\n`);
  if (values.docs) {
    const docs = path.join(ROOT, 'docs/benchmarks.md');
    const text = readFileSync(docs, 'utf8');
    const start = '<!-- bench:results:start -->';
    const end = '<!-- bench:results:end -->';
    const a = text.indexOf(start);
    const z = text.indexOf(end);
    if (a < 0 || z < a) usage(`--docs: ${docs} lacks the ${start} … ${end} markers`);
    writeFileSync(docs, text.slice(0, a + start.length) + '\n' + formatDocsTable(report) + '\n' + text.slice(z));
    process.stderr.write(`bench: updated ${path.relative(process.cwd(), docs)}\n`);
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
