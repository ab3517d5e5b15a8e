/**
 * Runs several `auditpack` command lines in one process (one tsx start-up instead of one per case): reads
 * `{ "cases": [[arg, ...], ...] }` on stdin, runs `main(argv)` for each with stdout and stderr captured, and prints
 * `[{ code, stdout, stderr, threw }]` as JSON on the real stdout. An exception escaping `main` (a crash) is reported
 * as `threw`; an unhandled rejection or uncaught exception ends the process with a non-JSON output.
 */
import { main } from '../../../src/cli/main.js';

interface BatchResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly threw: string | null;
}

const chunks: Buffer[] = [];
for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
const { cases } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cases: string[][] };
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
const results: BatchResult[] = [];
for (const args of cases) {
  let out = '';
  let err = '';
  process.stdout.write = (s: string | Uint8Array): boolean => (
    (out += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')),
    true
  );
  process.stderr.write = (s: string | Uint8Array): boolean => (
    (err += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')),
    true
  );
  process.exitCode = undefined;
  let code: number | null = null;
  let threw: string | null = null;
  try {
    code = await main(['node', 'auditpack', ...args]);
  } catch (e) {
    threw = String((e as Error).stack ?? e);
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  results.push({ code, stdout: out, stderr: err, threw });
}
process.exitCode = 0;
realOut(JSON.stringify(results) + '\n');
