/**
 * The `queue:` and `schedules:` sections of auditpack.yaml, and a loader that reads them (and `api:`, `signing:`)
 * next to the main config. Secrets never go in the file: the Redis password is read from the environment variable
 * named by `passwordEnv` (or comes with AUDITPACK_REDIS_URL).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { z } from 'zod';
import { ApiSection, type ApiSettings } from '../api/config.js';
import { applyEnv, ConfigError, defaultConfig, parseConfig, readConfigText, type LoadedConfig } from '../config/load.js';
import { AuditpackConfig } from '../config/schema.js';
import { resolveSignerConfig, SigningConfig, type SignerConfig } from '../signing/config.js';
import { QueueSection, SchedulesSection, type QueueSettings, type SchedulesSettings } from './settings.js';

export * from './settings.js';

/** Everything the queue commands read from one config file. */
export interface QueueAwareConfig {
  readonly loaded: LoadedConfig;
  readonly queue: QueueSettings;
  readonly schedules: SchedulesSettings;
  readonly api: ApiSettings;
  /** Absolute paths; null: this deployment signs no bundles. */
  readonly signing: SignerConfig | null;
}

const SECTIONS = ['queue', 'schedules', 'api', 'signing'] as const;

function problems(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => {
    const key = [prefix, ...i.path.map(String)].join('.');
    if (i.code === 'unrecognized_keys') return `${key}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${key}: ${i.message}`;
  });
}

/**
 * `--config FILE`, else `./auditpack.yaml` when present, else defaults (as every command does). The sections this
 * module owns are validated here; the rest by the main schema, which may or may not know them yet.
 */
export function loadQueueAwareConfig(
  configFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): QueueAwareConfig {
  const file = configFlag
    ? path.resolve(cwd, configFlag)
    : existsSync(path.join(cwd, 'auditpack.yaml'))
      ? path.join(cwd, 'auditpack.yaml')
      : null;
  let doc: Record<string, unknown> = {};
  let loaded: LoadedConfig;
  if (file) {
    const text = readConfigText(file);
    let parsed: unknown;
    try {
      parsed = parseYaml(text, { uniqueKeys: true });
    } catch (err) {
      throw new ConfigError(file, [`not valid YAML: ${(err as Error).message}`]);
    }
    doc = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    const known = new Set(Object.keys(AuditpackConfig.shape));
    const rest = Object.fromEntries(
      Object.entries(doc).filter(([k]) => known.has(k) || !(SECTIONS as readonly string[]).includes(k)),
    );
    loaded = { config: parseConfig(stringifyYaml(rest), file), baseDir: path.dirname(file), file };
  } else {
    loaded = defaultConfig(cwd);
  }
  loaded = applyEnv(loaded, env);
  const where = file ?? '(defaults)';
  const section = <T extends z.ZodType>(schema: T, key: string): z.output<T> => {
    const r = schema.safeParse(doc[key] ?? {});
    if (!r.success) throw new ConfigError(where, problems(r.error, key));
    return r.data;
  };
  const queue = applyQueueEnv(section(QueueSection, 'queue'), env);
  const schedules = section(SchedulesSection, 'schedules');
  const api = section(ApiSection, 'api');
  let signing: SignerConfig | null = null;
  if (doc['signing'] !== undefined) {
    const r = SigningConfig.safeParse(doc['signing']);
    if (!r.success) throw new ConfigError(where, problems(r.error, 'signing'));
    signing = resolveSignerConfig(r.data, loaded.baseDir);
  }
  return { loaded, queue, schedules, api, signing };
}

/** AUDITPACK_QUEUE_PREFIX overrides the prefix (AUDITPACK_REDIS_URL is read by `redisConnection`). */
export function applyQueueEnv(q: QueueSettings, env: NodeJS.ProcessEnv): QueueSettings {
  const prefix = env['AUDITPACK_QUEUE_PREFIX'];
  if (!prefix) return q;
  const r = QueueSection.shape.prefix.safeParse(prefix);
  if (!r.success)
    throw new ConfigError('AUDITPACK_QUEUE_PREFIX', [`"${prefix}": ${r.error.issues[0]?.message ?? 'invalid'}`]);
  return { ...q, prefix: r.data };
}
