import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { applyEnv, defaultConfig, loadConfigFile, type LoadedConfig } from '../config/load.js';
import { LocalDirectoryStore } from '../evidence/local-store.js';
import { S3EvidenceStore, type S3StoreConfig } from '../evidence/s3-store.js';
import type { EvidenceStore } from '../evidence/store.js';
import { FRAMEWORKS_DIR, listFrameworkIds } from '../frameworks/load.js';
import type { PipelineContext, StageProgress } from '../pipeline/context.js';
import { parsePeriod } from '../util/time.js';
import { UsageError } from './exit-codes.js';

import { packageRoot as findPackageRoot } from '../util/package-root.js';

const PACKAGE_ROOT = findPackageRoot();

export function generatorInfo(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

export function packageRoot(): string {
  return PACKAGE_ROOT;
}

/** Logs go to stderr as JSON (pino); stdout is for the command's own output. Level from LOG_LEVEL. */
export function makeLogger(): Logger {
  return pino(
    { name: 'auditpack', level: process.env['LOG_LEVEL'] ?? 'warn', redact: { paths: ['*.secretAccessKey', '*.sessionToken', '*.password', '*.token'], censor: '[redacted]' } },
    pino.destination(2),
  );
}

/** `--config FILE`, else `./auditpack.yaml` when present, else defaults; then AUDITPACK_STORE. */
export function resolveConfig(configFlag: string | undefined, cwd = process.cwd()): LoadedConfig {
  if (configFlag) return applyEnv(loadConfigFile(path.resolve(cwd, configFlag)), process.env);
  const implicit = path.join(cwd, 'auditpack.yaml');
  return applyEnv(existsSync(implicit) ? loadConfigFile(implicit) : defaultConfig(cwd), process.env);
}

/** `--store DIR` (a local directory) wins; otherwise the config's store (local path or S3). */
export function storePath(loaded: LoadedConfig, storeFlag: string | undefined): string | S3StoreConfig {
  if (storeFlag) return path.resolve(storeFlag);
  const store = loaded.config.store;
  return store.type === 's3' ? store : path.resolve(loaded.baseDir, store.path);
}

export function openStore(where: string | S3StoreConfig): EvidenceStore {
  return typeof where === 'string' ? new LocalDirectoryStore(where) : S3EvidenceStore.fromConfig(where);
}

/**
 * The clock of a CLI run. `AUDITPACK_FIXED_NOW` (an ISO instant) pins it, so a replay or a test gets the same
 * collectedAt and observation times (and so the same evidence ids) as another run.
 */
export function cliClock(env: NodeJS.ProcessEnv = process.env): () => Date {
  const fixed = env['AUDITPACK_FIXED_NOW'];
  if (!fixed) return () => new Date();
  const t = Date.parse(fixed);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(fixed)) throw new UsageError(`AUDITPACK_FIXED_NOW: "${fixed}" is not an ISO-8601 instant`);
  return () => new Date(t);
}

export function pipelineContext(store: string | S3StoreConfig, onProgress?: (p: StageProgress) => void): PipelineContext {
  return {
    store: openStore(store),
    now: cliClock(),
    generator: generatorInfo(),
    callerIdentity: null,
    frameworksDir: FRAMEWORKS_DIR,
    onProgress,
  };
}

export function parseFrameworkList(flag: string | undefined, loaded: LoadedConfig): string[] {
  const ids = flag ? flag.split(',').map((s) => s.trim()).filter(Boolean) : loaded.config.frameworks;
  const known = listFrameworkIds();
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length) throw new UsageError(`--framework: unknown framework(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (ids.length === 0) throw new UsageError('--framework: give at least one framework id');
  return ids;
}

export function resolvePeriod(flag: string | undefined, loaded: LoadedConfig, now: Date): string {
  const label = flag ?? loaded.config.period ?? previousMonth(now);
  try {
    parsePeriod(label);
  } catch (err) {
    throw new UsageError(`--period: ${(err as Error).message}`);
  }
  return label;
}

export function resolveAsOf(flag: string | undefined, loaded: LoadedConfig, now: Date): string {
  const value = flag ?? loaded.config.assessment.asOf;
  if (!value) return now.toISOString();
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw new UsageError(`--as-of: "${value}" is not an ISO-8601 instant such as 2026-11-02T00:00:00Z`);
  return d.toISOString();
}

function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function newRunId(now: Date): string {
  return `run-${now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}

export { FRAMEWORKS_DIR };
