/**
 * Each fault scenario records what happened (runs, items lost, duplicated, crashes, leaks) as one JSON file;
 * scripts/reliability-report.ts turns them into docs/reliability.md. Counts only, no timings, so the document
 * changes only when an outcome does.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const OUTCOMES_DIR = process.env['AUDITPACK_FAULTS_OUT'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/faults');

export interface ScenarioOutcome {
  /** Stable id, e.g. "kill-9/collect"; also the sort key. */
  readonly id: string;
  /** Section of docs/reliability.md: "Process faults", "Redis", "Disk", "AWS", "Hostile input", "Injection", "Privacy and secrets", "HTTP API". */
  readonly group: string;
  /** What was done, in one sentence. */
  readonly scenario: string;
  /** Expected behaviour that the test asserted, in one sentence. */
  readonly expected: string;
  readonly runs: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly crashes: number;
  readonly leaks: number;
  /** Anything else counted, e.g. { "retries": 12, "named errors": 3 }. */
  readonly extra?: Readonly<Record<string, number>>;
}

function fileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_') + '.json';
}

/** Call after the scenario's assertions passed (a failed scenario records nothing and fails the suite). */
export function recordOutcome(o: ScenarioOutcome): void {
  mkdirSync(OUTCOMES_DIR, { recursive: true });
  const file = path.join(OUTCOMES_DIR, fileName(o.id));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(o, null, 2) + '\n');
  renameSync(tmp, file);
}
