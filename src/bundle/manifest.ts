import type { AssessmentResult } from '../pipeline/assess-stage.js';

export const BUNDLE_FORMAT = 'auditpack-bundle/1';

export interface ManifestFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export interface Manifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly pack: {
    readonly id: string;
    readonly organisation: string;
    readonly period: { readonly label: string; readonly start: string; readonly end: string };
    /** The assessment time: the pack describes the estate as of this instant. Signing times are in the signatures. */
    readonly generatedAt: string;
    readonly generator: { readonly name: string; readonly version: string };
    readonly scope: { readonly accounts: readonly string[]; readonly regions: readonly string[] };
  };
  readonly frameworks: readonly { readonly id: string; readonly name: string; readonly version: string; readonly sha256: string }[];
  readonly evidence: { readonly items: number; readonly withheldRaw: number };
  readonly hashAlgorithm: 'sha256';
  /** Every file of the bundle except manifest.json and manifest.json.p7s, sorted by path. */
  readonly files: readonly ManifestFile[];
}

export function buildManifest(a: AssessmentResult, files: readonly ManifestFile[], evidence: { items: number; withheldRaw: number }): Manifest {
  return {
    format: BUNDLE_FORMAT,
    pack: {
      id: a.packId,
      organisation: a.organisation,
      period: { label: a.period.label, start: a.period.start, end: a.period.end },
      generatedAt: a.assessedAt,
      generator: { name: a.generator.name, version: a.generator.version },
      scope: { accounts: [...a.scope.accounts], regions: [...a.scope.regions] },
    },
    frameworks: a.frameworks.map((f) => ({ id: f.id, name: f.name, version: f.version, sha256: f.sha256 })),
    evidence,
    hashAlgorithm: 'sha256',
    files: [...files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)),
  };
}

/**
 * Serializes the manifest with one file per line, exactly `{"path":"…","sha256":"…","size":N}`, so the README's
 * `sed` one-liners can turn it into `sha256sum -c` input without a JSON tool. Everything else is pretty JSON.
 */
export function serializeManifest(m: Manifest): Buffer {
  const { files, ...head } = m;
  const headJson = JSON.stringify(head, null, 2);
  const lines = files.map((f) => `    {"path":${JSON.stringify(f.path)},"sha256":"${f.sha256}","size":${f.size}}`);
  return Buffer.from(`${headJson.slice(0, -2)},\n  "files": [\n${lines.join(',\n')}\n  ]\n}\n`, 'utf8');
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Parses and shape-checks a manifest read from a bundle. */
export function parseManifest(bytes: Buffer): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ManifestError(`manifest.json is not JSON: ${(err as Error).message}`);
  }
  const m = doc as Partial<Manifest> | null;
  if (!m || typeof m !== 'object' || m.format !== BUNDLE_FORMAT) throw new ManifestError(`manifest.json is not an ${BUNDLE_FORMAT} manifest`);
  if (!Array.isArray(m.files)) throw new ManifestError('manifest.json has no files list');
  for (const [i, entry] of (m.files as unknown[]).entries()) {
    const f = entry as Partial<ManifestFile> | null;
    const ok =
      f !== null &&
      typeof f === 'object' &&
      typeof f.path === 'string' &&
      typeof f.sha256 === 'string' &&
      /^[a-f0-9]{64}$/.test(f.sha256) &&
      typeof f.size === 'number' &&
      Number.isSafeInteger(f.size) &&
      f.size >= 0;
    if (!ok) throw new ManifestError(`manifest.json files[${i}] is malformed`);
  }
  const p = m.pack;
  const str = (v: unknown): boolean => typeof v === 'string';
  if (!p || typeof p !== 'object' || !str(p.id) || !str(p.organisation) || !str(p.generatedAt) || !p.period || !str(p.period.label) || !p.generator || !str(p.generator.name) || !str(p.generator.version)) {
    throw new ManifestError('manifest.json has no valid pack metadata (id, organisation, period, generatedAt, generator)');
  }
  return m as Manifest;
}
