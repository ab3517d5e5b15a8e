import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
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

/** A config file is a page of YAML: anything larger is refused before it is read (it could be /dev/zero or 1 GB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The text of a config file: a regular file of at most MAX_CONFIG_BYTES, valid UTF-8 (else a ConfigError). */
export function readConfigText(file: string): string {
  let bytes: Buffer;
  try {
    // Non-blocking open: a named pipe must be refused, not waited on.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new ConfigError(file, ['cannot read: not a regular file']);
      if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(file, [`is ${st.size} bytes, more than the ${MAX_CONFIG_BYTES}-byte limit for a config file`]);
      bytes = Buffer.alloc(st.size);
      let off = 0;
      while (off < bytes.length) {
        const n = readSync(fd, bytes, off, bytes.length - off, off);
        if (n === 0) break;
        off += n;
      }
      bytes = bytes.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(file, ['is not valid UTF-8']);
  }
  return text;
}

export function loadConfigFile(file: string): LoadedConfig {
  return { config: parseConfig(readConfigText(file), file), baseDir: path.dirname(path.resolve(file)), file: path.resolve(file) };
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
