import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AuditpackConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`config ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: AuditpackConfig;
  /** Directory relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly file: string | null;
}

export function parseConfig(text: string, file: string): AuditpackConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new ConfigError(file, [`not valid YAML: ${(err as Error).message}`]);
  }
  const parsed = AuditpackConfig.safeParse(doc ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((i) => {
        const key = i.path.length ? i.path.join('.') : '(top level)';
        if (i.code === 'unrecognized_keys') return `${key}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
        return `${key}: ${i.message}`;
      }),
    );
  }
  return parsed.data;
}

export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return { config: parseConfig(text, file), baseDir: path.dirname(path.resolve(file)), file: path.resolve(file) };
}

/** The config used when no file is given: defaults only, paths relative to the working directory. */
export function defaultConfig(cwd: string): LoadedConfig {
  return { config: AuditpackConfig.parse({ organisation: { name: 'Unnamed organisation' } }), baseDir: cwd, file: null };
}

/** Environment overrides: the usual AWS variables are read by the SDK itself; these are ours. */
export function applyEnv(loaded: LoadedConfig, env: NodeJS.ProcessEnv): LoadedConfig {
  const store = env['AUDITPACK_STORE'];
  if (!store) return loaded;
  return { ...loaded, config: { ...loaded.config, store: { type: 'local', path: path.resolve(store) } } };
}
