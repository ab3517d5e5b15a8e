/**
 * The bundle fixture: a seeded tree of files shaped like a bundle's content, written once per size under the
 * harness work directory and reused while its spec is unchanged. A mix of compressible text (evidence JSON, HTML
 * pages) and already-compressed data (.json.gz, .pdf, .png), whose payload is pseudo-random bytes behind the
 * format's magic number: what matters to a zip writer is that it does not shrink.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pick, seededRandom } from './seed-random.js';

export interface BundleFixture {
  readonly dir: string;
  /** Paths relative to `dir`, sorted (the order the zip writes them). */
  readonly files: readonly string[];
  readonly bytes: number;
}

interface KindSpec {
  readonly ext: string;
  readonly count: number;
  readonly meanBytes: number;
  readonly compressible: boolean;
}

const SEED = 7_003;

function spec(size: 's' | 'l'): KindSpec[] {
  const k = size === 'l' ? 1 : 0.04;
  return [
    { ext: '.html', count: Math.round(2000 * k), meanBytes: 8_000, compressible: true },
    { ext: '.json', count: Math.round(1500 * k), meanBytes: 70_000, compressible: true },
    { ext: '.json.gz', count: Math.round(1000 * k), meanBytes: 90_000, compressible: false },
    { ext: '.pdf', count: Math.round(300 * k), meanBytes: 200_000, compressible: false },
    { ext: '.png', count: Math.round(200 * k), meanBytes: 150_000, compressible: false },
  ];
}

const MAGIC: Record<string, Buffer> = {
  '.json.gz': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]),
  '.pdf': Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
  '.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};

/** Seeded incompressible bytes (AES-CTR keystream). */
function noise(seed: string, n: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const c = createCipheriv('aes-256-ctr', key, key.subarray(0, 16));
  return Buffer.concat([c.update(Buffer.alloc(n)), c.final()]);
}

const SOURCES = ['s3.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com', 'bedrock.amazonaws.com', 'sagemaker.amazonaws.com', 'ec2.amazonaws.com'];
const NAMES = ['GetObject', 'PutObject', 'AssumeRole', 'Decrypt', 'InvokeModel', 'DescribeInstances', 'UpdateTrail', 'CreateModelPackage'];

/** Evidence-like JSON (repeated keys, varying ids and times): compresses about like real evidence, 4-6x. */
function jsonText(r: () => number, n: number): string {
  const parts: string[] = ['{"Records":['];
  let len = 12;
  for (let i = 0; len < n; i++) {
    const id = Math.floor(r() * 2 ** 52).toString(16).padStart(13, '0');
    const rec = `${i ? ',' : ''}{"eventVersion":"1.09","eventID":"${id}-${Math.floor(r() * 1e9)}","eventTime":"2026-10-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}T${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:00Z","eventSource":"${pick(r, SOURCES)}","eventName":"${pick(r, NAMES)}","awsRegion":"eu-west-1","sourceIPAddress":"10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app-${Math.floor(r() * 40)}/session-${id.slice(0, 6)}"},"requestParameters":{"bucketName":"northwind-data-${Math.floor(r() * 9)}","key":"datasets/part-${id}.parquet"},"readOnly":${r() < 0.8}}\n`;
    parts.push(rec);
    len += rec.length;
  }
  parts.push(']}\n');
  return parts.join('');
}

function htmlText(r: () => number, n: number): string {
  const parts: string[] = ['<!doctype html><html><head><meta charset="utf-8"><title>evidence</title></head><body><table>'];
  let len = 100;
  while (len < n) {
    const row = `<tr><td class="mono">${Math.floor(r() * 2 ** 52).toString(16)}</td><td>${pick(r, SOURCES)}</td><td>${pick(r, NAMES)}</td><td class="n">${Math.floor(r() * 1e6)}</td></tr>\n`;
    parts.push(row);
    len += row.length;
  }
  parts.push('</table></body></html>\n');
  return parts.join('');
}

/** Writes the fixture (or reuses the one already there). */
export function bundleFixture(workDir: string, size: 's' | 'l', log: (line: string) => void): BundleFixture {
  const dir = path.join(workDir, 'bundle-fixture');
  const marker = path.join(workDir, 'bundle-fixture.json');
  const want = JSON.stringify({ seed: SEED, spec: spec(size) });
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { want: string; files: string[]; bytes: number };
    if (m.want === want) return { dir, files: m.files, bytes: m.bytes };
  }
  log(`writing the bundle fixture in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  const r = seededRandom(SEED);
  const files: string[] = [];
  let bytes = 0;
  for (const k of spec(size)) {
    for (let i = 0; i < k.count; i++) {
      // Sizes spread from a fifth to about three times the mean (log-uniform), like real evidence.
      const n = Math.max(64, Math.round(k.meanBytes * Math.exp((r() - 0.5) * 2.6) * 0.76));
      const rel = `evidence/${k.ext.slice(1).replace('.', '-')}/${String(i % 50).padStart(2, '0')}/item-${String(i).padStart(5, '0')}${k.ext}`;
      const data = k.compressible
        ? Buffer.from(k.ext === '.html' ? htmlText(r, n) : jsonText(r, n), 'utf8')
        : Buffer.concat([MAGIC[k.ext] ?? Buffer.alloc(0), noise(`${SEED}/${rel}`, n)]);
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), data);
      files.push(rel);
      bytes += data.byteLength;
    }
  }
  files.sort();
  writeFileSync(marker, JSON.stringify({ want, files, bytes }));
  return { dir, files, bytes };
}
