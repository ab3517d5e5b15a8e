import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EvidenceItem } from '../evidence/model.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { AssessmentResult } from '../pipeline/assess-stage.js';
import { renderControlsCsv } from '../reports/csv.js';
import { ocsfJson } from '../exports/ocsf.js';
import { oscalJson } from '../exports/oscal.js';
import { digestOf, signDetachedCms } from '../signing/cms.js';
import { toPem } from '../signing/keys.js';
import { signPdf, type PdfSignatureFields } from '../signing/pdf.js';
import type { Signer } from '../signing/types.js';
import { BUNDLE_PATH } from './entry-names.js';
import { byControl, byDate, bySource, indexCsv, indexJson } from './indexes.js';
import { PATHS, rawPlacement, summarize, type BundledEvidence } from './layout.js';
import { buildManifest, serializeManifest, type ManifestFile } from './manifest.js';
import { renderReadme } from './readme.js';
import { ZipWriter } from './zip-writer.js';

export class BundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BundleError';
  }
}

export interface BundleInput {
  readonly assessment: AssessmentResult;
  readonly store: EvidenceStore;
  /** The files the render stage wrote. */
  readonly report: { readonly pdf: string; readonly html: string; readonly model: string };
  /** Framework catalog files by id; each must still have the hash the assessment recorded. */
  readonly frameworkFiles: Readonly<Record<string, string>>;
  readonly signer: Signer;
  readonly pdf?: Omit<PdfSignatureFields, 'signingTime'>;
  readonly bundlePath: string;
  /** Only for the signingTime of the manifest signature (not part of any listed file). */
  readonly now: () => Date;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, detail: string) => void;
}

export interface BundleResult {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly packId: string;
  readonly files: number;
  readonly evidenceItems: number;
  readonly withheldRaw: number;
  readonly manifestSha256: string;
}

type Producer = () => Promise<{ data: Uint8Array } | { file: string } | { text: Iterable<string> }>;

/** Text pieces as ~64 KiB chunks for the zip writer (a sync generator: the zip writer iterates it with for await). */
function* textChunks(pieces: Iterable<string>): Generator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for (const p of pieces) {
    pending.push(p);
    size += p.length;
    if (size >= 65_536) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      size = 0;
    }
  }
  if (pending.length) yield Buffer.from(pending.join(''), 'utf8');
}

/** Deterministic gzip: fixed header (mtime 0, OS "unix"), fixed level. */
export function gzipDeterministic(data: Uint8Array): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz[9] = 3;
  return gz;
}

async function assertFile(file: string, what: string): Promise<void> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new BundleError(`${what} ${file} is not a file`);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(`${what} ${file} does not exist (has the render stage run?)`, { cause: err });
  }
}

/**
 * Writes a signed evidence bundle, streaming: entries are produced one at a time in path order (evidence blobs
 * are read from the store when their turn comes), hashed once while written, and only small per-item summaries
 * are kept for the indexes and exports. The manifest is written last but one, then its detached signature.
 */
export async function buildBundle(input: BundleInput): Promise<BundleResult> {
  const a = input.assessment;
  const { store, signer } = input;
  await assertFile(input.report.pdf, 'report PDF');
  await assertFile(input.report.html, 'report HTML');
  await assertFile(input.report.model, 'report model');
  for (const f of a.frameworks) {
    const file = input.frameworkFiles[f.id];
    if (!file) throw new BundleError(`no catalog file given for framework ${f.id}`);
    const sha = createHash('sha256').update(await fs.readFile(file)).digest('hex');
    if (sha !== f.sha256) throw new BundleError(`framework catalog ${file} changed since the assessment (sha256 ${sha}, assessed with ${f.sha256})`);
  }

  // 1. Every evidence item the assessment used, as small summaries (the records are re-read when written).
  const evidence = new Map<string, BundledEvidence>();
  let withheldRaw = 0;
  for (const id of a.evidence.ids) {
    input.signal?.throwIfAborted();
    const item = await store.getItem(id);
    if (!item) throw new BundleError(`evidence item ${id} used by the assessment is not in the store`);
    if (item.raw?.sensitive) withheldRaw++;
    evidence.set(id, summarize(item));
  }

  // 2. Plan every listed entry by path; producers run lazily, in path order.
  const plan = new Map<string, Producer>();
  const add = (p: string, producer: Producer): void => {
    if (!BUNDLE_PATH.test(p)) throw new BundleError(`internal: bundle path "${p}" is not safe`);
    if (plan.has(p)) throw new BundleError(`internal: two files map to ${p}`);
    plan.set(p, producer);
  };
  const json = (v: string): Producer => () => Promise.resolve({ data: Buffer.from(v, 'utf8') });
  const loadItem = async (id: string): Promise<EvidenceItem> => {
    const item = await store.getItem(id);
    if (!item) throw new BundleError(`evidence item ${id} disappeared from the store`);
    return item;
  };
  let attachments = 0;
  for (const e of evidence.values()) {
    add(e.path, async () => {
      const item = await loadItem(e.id);
      const content = item.content ? (JSON.parse((await store.getBlob(item.content.sha256)).toString('utf8')) as unknown) : null;
      return { data: gzipDeterministic(Buffer.from(JSON.stringify({ item, content }, null, 1) + '\n', 'utf8')) };
    });
    if (e.rawPath) {
      if (e.rawPath.startsWith('attachments/')) attachments++;
      add(e.rawPath, async () => {
        const item = await loadItem(e.id);
        const placement = rawPlacement(item);
        if (!item.raw || placement?.kind !== 'file') throw new BundleError(`evidence item ${e.id} has no raw payload to bundle`);
        return { data: await store.getBlob(item.raw.sha256) };
      });
    }
  }
  for (const [id, file] of Object.entries(input.frameworkFiles)) {
    if (a.frameworks.some((f) => f.id === id)) add(`frameworks/${id}.yaml`, () => Promise.resolve({ file }));
  }
  add(PATHS.pdf, async () => ({
    data: await signPdf(await fs.readFile(input.report.pdf), signer, {
      signingTime: new Date(a.assessedAt),
      reason: input.pdf?.reason ?? `Audit evidence pack ${a.packId}`,
      location: input.pdf?.location,
      contactInfo: input.pdf?.contactInfo,
      name: input.pdf?.name,
    }),
  }));
  add(PATHS.html, () => Promise.resolve({ file: input.report.html }));
  add(PATHS.model, () => Promise.resolve({ file: input.report.model }));
  add(PATHS.controlsCsv, json(renderControlsCsv(a)));
  add(PATHS.ocsf, () => Promise.resolve({ text: ocsfJson(a, evidence) }));
  add(PATHS.oscal, () => Promise.resolve({ text: oscalJson(a, evidence) }));
  for (const idx of [byControl(a, evidence), bySource(evidence.values()), byDate(evidence.values())]) {
    add(PATHS.index(idx.name, 'csv'), () => Promise.resolve({ text: indexCsv(idx) }));
    add(PATHS.index(idx.name, 'json'), () => Promise.resolve({ text: indexJson(idx, a.packId) }));
  }
  add(PATHS.signerChain, json(toPem(signer.chain)));
  const listedFiles = plan.size + 1; // + README.txt
  add(PATHS.readme, json(renderReadme({ assessment: a, bundleFileName: path.basename(input.bundlePath), chain: signer.chain, evidenceItems: evidence.size, withheldRaw, attachments, listedFiles })));

  // 3. Write.
  const zip = await ZipWriter.create(input.bundlePath, { date: new Date(a.assessedAt) });
  const total = plan.size + 2;
  try {
    const files: ManifestFile[] = [];
    const ordered = [...plan.keys()].sort();
    for (const [i, p] of ordered.entries()) {
      input.signal?.throwIfAborted();
      const produced = await plan.get(p)!();
      const r =
        'file' in produced ? await zip.addFile(p, produced.file) : 'text' in produced ? await zip.addStream(p, textChunks(produced.text)) : await zip.addBuffer(p, produced.data);
      files.push({ path: p, sha256: r.sha256, size: r.size });
      plan.delete(p);
      if (i % 50 === 0 || i === ordered.length - 1) input.onProgress?.(i + 1, total, p);
    }
    const manifestBytes = serializeManifest(buildManifest(a, files, { items: evidence.size, withheldRaw }));
    await zip.addBuffer(PATHS.manifest, manifestBytes);
    const p7s = await signDetachedCms({ contentDigest: digestOf(signer.key.hash, manifestBytes), key: signer.key, chain: signer.chain, signingTime: input.now() });
    await zip.addBuffer(PATHS.signature, p7s, { store: true });
    input.onProgress?.(total, total, PATHS.signature);
    const done = await zip.finish();
    return {
      path: done.path,
      size: done.size,
      sha256: await fileSha256(done.path),
      packId: a.packId,
      files: files.length + 2,
      evidenceItems: evidence.size,
      withheldRaw,
      manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    };
  } catch (err) {
    await zip.abort();
    throw err;
  }
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return h.digest('hex');
}
