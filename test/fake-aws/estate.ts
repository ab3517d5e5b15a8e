/**
 * The state the fake AWS serves, loaded from an export directory (docs/export-directory.md):
 *
 * - `cli/<acct>/<region>/<service>/<operation>[.<qualifier>].json` are the API responses (AWS CLI JSON); list
 *   operations are derived from them (ListGuardrails from the get-guardrail files, and so on);
 * - `AWSLogs/<acct>/...` files are the objects of the S3 buckets that the account's settings name: CloudTrail log
 *   files go to the bucket (and key prefix) of the account's trails (`describe-trails.json`), Bedrock invocation
 *   logs to the `s3Config` bucket of the region's logging configuration, Config snapshots to the bucket of
 *   `describe-delivery-channels.json` when there is one;
 * - `clarify/<acct>/<region>/<group>/analysis.json` is served at every `s3://…/analysis.json` URI that the model
 *   packages of group `<group>` reference (ModelMetrics / DriftCheckBaselines bias reports);
 * - `cli/<acct>/global/artifact/get-report.<id>.pdf` is the document behind GetReport's presigned URL.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface EstateFile {
  readonly rel: string;
  readonly bytes: Buffer;
  readonly mtimeMs: number;
}

export interface S3Object {
  readonly key: string;
  readonly bytes: Buffer;
  readonly lastModifiedMs: number;
  readonly etag: string;
  readonly contentType: string;
  /** The export-directory file the object's bytes come from. */
  readonly source: string;
}

export interface CliDoc {
  readonly name: string;
  readonly qualifier: string | null;
  readonly doc: unknown;
  readonly mtimeMs: number;
}

export class Estate {
  readonly files = new Map<string, EstateFile>();
  /** `acct/region/service` → file name without `.json` → file. */
  private readonly cliDirs = new Map<string, Map<string, EstateFile>>();
  readonly buckets = new Map<string, Map<string, S3Object>>();
  /** The account that owns each bucket: the one whose settings name it first. */
  readonly bucketOwners = new Map<string, string>();
  /** Export-directory files that are served as some S3 object. */
  placedFiles(): Set<string> {
    const out = new Set<string>();
    for (const b of this.buckets.values()) for (const o of b.values()) out.add(o.source);
    return out;
  }

  private readonly gzCache = new Map<string, unknown>();

  constructor(readonly root: string) {
    this.walk('');
    for (const f of this.files.values()) {
      const m = /^cli\/(\d{12})\/([a-z0-9-]+)\/([a-z0-9-]+)\/([^/]+)$/.exec(f.rel);
      if (!m) continue;
      const key = `${m[1]}/${m[2]}/${m[3]}`;
      if (!this.cliDirs.has(key)) this.cliDirs.set(key, new Map());
      this.cliDirs.get(key)!.set(m[4]!.replace(/\.json$/, ''), f);
    }
    this.placeObjects();
  }

  private walk(rel: string): void {
    for (const e of readdirSync(join(this.root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        this.walk(r);
        // An empty cli/<acct>/<region>/<service>/ directory still means "the service was looked at".
        if (/^cli\/\d{12}\/[^/]+\/[^/]+$/.test(r) && !this.cliDirs.has(r.slice(4)))
          this.cliDirs.set(r.slice(4), new Map());
      } else if (e.isFile()) {
        const abs = join(this.root, r);
        this.files.set(r, { rel: r, bytes: readFileSync(abs), mtimeMs: statSync(abs).mtimeMs });
      }
    }
  }

  /** Accounts that have any CLI output or log file. */
  accounts(): string[] {
    const out = new Set<string>();
    for (const rel of this.files.keys()) {
      const m = /^(?:cli|AWSLogs|clarify)\/(\d{12})\//.exec(rel);
      if (m) out.add(m[1]!);
    }
    for (const k of this.cliDirs.keys()) out.add(k.slice(0, 12));
    return [...out].sort();
  }

  /** Regions (not `global`) in which the account has CLI outputs or log files. */
  regions(account: string): string[] {
    const out = new Set<string>();
    for (const k of this.cliDirs.keys()) if (k.startsWith(`${account}/`)) out.add(k.split('/')[1]!);
    for (const rel of this.files.keys()) {
      const m = new RegExp(`^AWSLogs/${account}/[^/]+/([a-z]{2}(?:-[a-z]+)+-\\d)/`).exec(rel);
      if (m) out.add(m[1]!);
    }
    out.delete('global');
    return [...out].sort();
  }

  hasCliDir(account: string, region: string, service: string): boolean {
    return this.cliDirs.has(`${account}/${region}/${service}`);
  }

  /** The parsed CLI output `<name>.json` (name may include the qualifier), or undefined. */
  cli(account: string, region: string, service: string, name: string): CliDoc | undefined {
    const f = this.cliDirs.get(`${account}/${region}/${service}`)?.get(name);
    if (!f || !f.rel.endsWith('.json')) return undefined;
    const dot = name.indexOf('.');
    return {
      name,
      qualifier: dot < 0 ? null : name.slice(dot + 1),
      doc: JSON.parse(f.bytes.toString('utf8')) as unknown,
      mtimeMs: f.mtimeMs,
    };
  }

  /** Every `<operation>.<qualifier>.json` of a CLI directory, sorted by qualifier. */
  qualified(account: string, region: string, service: string, operation: string): CliDoc[] {
    const dir = this.cliDirs.get(`${account}/${region}/${service}`);
    if (!dir) return [];
    return [...dir.keys()]
      .filter((n) => n.startsWith(`${operation}.`) && dir.get(n)!.rel.endsWith('.json'))
      .sort()
      .map((n) => this.cli(account, region, service, n)!);
  }

  /** A raw CLI-directory file other than JSON (the Artifact report PDFs). */
  cliFile(account: string, region: string, service: string, fileName: string): EstateFile | undefined {
    return this.files.get(`cli/${account}/${region}/${service}/${fileName}`);
  }

  /** Parsed records of the gzip log files under `prefix` (CloudTrail `Records`, or JSON Lines). */
  logRecords(prefix: string): { file: string; records: unknown[] }[] {
    const out: { file: string; records: unknown[] }[] = [];
    for (const f of [...this.files.values()]
      .filter((x) => x.rel.startsWith(prefix) && x.rel.endsWith('.gz'))
      .sort((a, b) => (a.rel < b.rel ? -1 : 1))) {
      let parsed = this.gzCache.get(f.rel) as unknown[] | undefined;
      if (!parsed) {
        const text = gunzipSync(f.bytes).toString('utf8');
        if (f.rel.includes('/CloudTrail/')) parsed = (JSON.parse(text) as { Records?: unknown[] }).Records ?? [];
        else
          parsed = text
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as unknown);
        this.gzCache.set(f.rel, parsed);
      }
      out.push({ file: f.rel, records: parsed });
    }
    return out;
  }

  private put(bucket: string, key: string, f: EstateFile, contentType: string, owner: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    if (!this.bucketOwners.has(bucket)) this.bucketOwners.set(bucket, owner);
    this.buckets.get(bucket)!.set(key, {
      key,
      bytes: f.bytes,
      lastModifiedMs: Math.floor(f.mtimeMs / 1000) * 1000,
      etag: `"${createHash('md5').update(f.bytes).digest('hex')}"`,
      contentType,
      source: f.rel,
    });
  }

  private placeObjects(): void {
    const prefixed = (prefix: string | undefined, rel: string): string =>
      prefix ? `${prefix.replace(/\/+$/, '')}/${rel}` : rel;
    for (const account of this.accounts()) {
      for (const region of [...this.regions(account), 'global']) {
        const trails = this.cli(account, region, 'cloudtrail', 'describe-trails')?.doc as
          | {
              trailList?: {
                S3BucketName?: string;
                S3KeyPrefix?: string;
                IsMultiRegionTrail?: boolean;
                HomeRegion?: string;
              }[];
            }
          | undefined;
        for (const t of trails?.trailList ?? []) {
          if (!t.S3BucketName) continue;
          // A multi-region trail delivers the log files of every region; a single-region trail only its home region's.
          const covered = t.IsMultiRegionTrail ? '[^/]+' : (t.HomeRegion ?? region);
          const re = new RegExp(`^AWSLogs/${account}/CloudTrail(?:-Digest)?/${covered}/`);
          for (const f of this.files.values())
            if (re.test(f.rel))
              this.put(t.S3BucketName, prefixed(t.S3KeyPrefix, f.rel), f, 'application/x-gzip', account);
        }
        const logging = this.cli(account, region, 'bedrock', 'get-model-invocation-logging-configuration')?.doc as
          { loggingConfig?: { s3Config?: { bucketName?: string; keyPrefix?: string } } } | undefined;
        const s3 = logging?.loggingConfig?.s3Config;
        if (s3?.bucketName) {
          for (const f of this.files.values()) {
            if (f.rel.startsWith(`AWSLogs/${account}/BedrockModelInvocationLogs/${region}/`))
              this.put(s3.bucketName, prefixed(s3.keyPrefix, f.rel), f, 'application/x-gzip', account);
          }
        }
        const channels = this.cli(account, region, 'configservice', 'describe-delivery-channels')?.doc as
          { DeliveryChannels?: { s3BucketName?: string; s3KeyPrefix?: string }[] } | undefined;
        for (const c of channels?.DeliveryChannels ?? []) {
          if (!c.s3BucketName) continue;
          for (const f of this.files.values()) {
            if (f.rel.startsWith(`AWSLogs/${account}/Config/${region}/`))
              this.put(c.s3BucketName, prefixed(c.s3KeyPrefix, f.rel), f, 'application/x-gzip', account);
          }
        }
        for (const pkg of this.qualified(account, region, 'sagemaker', 'describe-model-package')) {
          const group = (pkg.doc as { ModelPackageGroupName?: string }).ModelPackageGroupName;
          const report = group ? this.files.get(`clarify/${account}/${region}/${group}/analysis.json`) : undefined;
          if (!report) continue;
          for (const uri of s3Uris(pkg.doc)) {
            if (!uri.endsWith('/analysis.json')) continue;
            const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
            if (m) this.put(m[1]!, m[2]!, report, 'application/json', account);
          }
        }
      }
    }
  }
}

function s3Uris(value: unknown): string[] {
  if (typeof value === 'string') return value.startsWith('s3://') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(s3Uris);
  if (value && typeof value === 'object') return Object.values(value).flatMap(s3Uris);
  return [];
}
