import { createHash } from 'node:crypto';
import {
  AuditManagerClient,
  BatchImportEvidenceToAssessmentControlCommand,
  GetAssessmentCommand,
  GetEvidenceFileUploadUrlCommand,
  type Assessment,
  type ManualEvidence,
} from '@aws-sdk/client-auditmanager';
import { HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { parseManifest } from '../bundle/manifest.js';
import { PATHS } from '../bundle/layout.js';
import { readAll, scanZip } from '../bundle/zip-reader.js';
import type { EvidenceStore } from '../evidence/store.js';
import { FRAMEWORKS_DIR } from '../frameworks/load.js';
import type { ControlResult } from '../mappers/types.js';
import type { AssessmentResult } from '../pipeline/assess-stage.js';
import { AUDIT_MANAGER_MAX_FILE_BYTES, buildEvidenceFiles, evidenceEntry, type BundleIndex, type EvidenceEntry, type EvidenceFile } from './audit-manager-files.js';
import { AssessmentId } from './config.js';
import { checkMappingReferences, loadCatalogs, matchControls, type AuditManagerControl, type ControlMappingFile } from './control-matching.js';
import {
  awsErrorText,
  DeliveryError,
  DeliveryInputError,
  describeAwsError,
  type AuditManagerFile,
  type AuditManagerReceipt,
  type DeliverOptions,
  type DeliveryTarget,
  type InspectedBundle,
} from './types.js';

/** Audit Manager accepts at most this many manual evidence imports per control per day. */
export const AUDIT_MANAGER_DAILY_LIMIT = 100;
/** `manualEvidence` holds at most 50 entries per BatchImportEvidenceToAssessmentControl call. */
const MAX_BATCH = 50;
const S3_URL = /^(S|s)3:\/\/[a-zA-Z0-9\-.()'*_!/]+$/;

export interface EvidenceBucket {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly kmsKeyId?: string;
}

export interface AuditManagerImportInput {
  readonly client: AuditManagerClient;
  /** Holds the import ledger and the per-control daily counts (state documents). */
  readonly store: EvidenceStore;
  readonly assessmentId: string;
  /** The region of the assessment (and of the evidence bucket, when one is used). */
  readonly region: string;
  readonly assessment: AssessmentResult;
  /** The signed bundle the assessment was packed into, so evidence files can cite its manifest hashes. */
  readonly bundle?: BundleIndex | null;
  readonly mapping?: ControlMappingFile;
  readonly mappingFile?: string;
  readonly automaticMatching?: boolean;
  readonly frameworksDir?: string;
  readonly format?: 'json' | 'csv';
  /** Import with `s3ResourcePath` from this bucket instead of uploading through GetEvidenceFileUploadUrl. */
  readonly evidenceBucket?: EvidenceBucket;
  readonly maxFileBytes?: number;
  readonly dailyLimit?: number;
  readonly now?: () => Date;
  /** Plan only: match and build the files, call nothing that changes Audit Manager or the ledger. */
  readonly dryRun?: boolean;
  /** PUTs a file to a presigned upload URL (default: fetch). */
  readonly upload?: (url: string, body: Buffer) => Promise<void>;
  readonly onProgress?: DeliverOptions['onProgress'];
}

interface LedgerEntry {
  readonly fileName: string;
  readonly importedAt: string;
  readonly packId: string;
  readonly manualEvidence: ManualEvidence;
}
interface Ledger {
  readonly version: 1;
  readonly assessmentId: string;
  readonly controlSetId: string;
  readonly controlId: string;
  readonly entries: Record<string, LedgerEntry>;
}
interface DailyCount {
  readonly version: 1;
  readonly controlId: string;
  readonly day: string;
  readonly count: number;
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

/** `delivery/audit-manager/<assessment>/<control>-<hash of control set>`: what has been imported, by file SHA-256. */
export function ledgerKey(assessmentId: string, controlSetId: string, controlId: string): string {
  return `delivery/audit-manager/${assessmentId}/${controlId}-${shortHash(controlSetId)}`;
}

/**
 * `delivery/audit-manager/daily/<control>/<UTC day>`: imports counted per control across assessments (the
 * stricter reading of the quota; a control can sit in several control sets and assessments).
 */
export function dailyKey(controlId: string, day: string): string {
  return `delivery/audit-manager/daily/${controlId}/${day}`;
}

async function putToUrl(url: string, body: Buffer): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-length': String(body.length) } });
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 300);
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`;
    // The URL's query is a signature: never echoed.
    throw new Error(`upload to ${new URL(url).origin}${new URL(url).pathname} failed: ${code}`);
  }
}

function controlsOf(a: Assessment): AuditManagerControl[] {
  const out: AuditManagerControl[] = [];
  for (const set of a.framework?.controlSets ?? []) {
    for (const c of set.controls ?? []) {
      if (!set.id || !c.id) continue;
      out.push({ controlSetId: set.id, controlId: c.id, controlName: c.name ?? '', status: c.status ?? null });
    }
  }
  return out;
}

/**
 * Puts auditpack's control results into an existing AWS Audit Manager assessment as manual evidence: for each
 * Audit Manager control matched to auditpack controls, one evidence file (split into parts over the size limit)
 * uploaded through `GetEvidenceFileUploadUrl` (or placed in the evidence bucket) and attached with
 * `BatchImportEvidenceToAssessmentControl`. Honours the quotas: files over the size limit are split or, when
 * that cannot work, deferred with the reason; at most `dailyLimit` imports per control per UTC day, counted in
 * the store so that a rerun the same day stays under it; and a ledger in the store (assessment, control, file
 * SHA-256) so the same evidence is never imported twice.
 */
export async function importToAuditManager(input: AuditManagerImportInput): Promise<AuditManagerReceipt> {
  const now = input.now ?? (() => new Date());
  const dailyLimit = input.dailyLimit ?? AUDIT_MANAGER_DAILY_LIMIT;
  const maxBytes = input.maxFileBytes ?? AUDIT_MANAGER_MAX_FILE_BYTES;
  const format = input.format ?? 'json';
  const a = input.assessment;
  if (!AssessmentId.safeParse(input.assessmentId).success) throw new DeliveryInputError(`"${input.assessmentId}" is not an Audit Manager assessment id (a lower-case UUID)`);

  const catalogs = loadCatalogs(
    a.frameworks.map((f) => f.id),
    input.frameworksDir ?? FRAMEWORKS_DIR,
  );
  if (input.mapping) checkMappingReferences(input.mapping, catalogs, input.mappingFile);
  const results = new Map<string, ControlResult>();
  for (const f of a.frameworks) for (const r of f.results) results.set(`${f.id}:${r.control}`, r);

  if (input.evidenceBucket) await checkEvidenceBucket(input.evidenceBucket, input.region);

  let remote: Assessment;
  try {
    const out = await input.client.send(new GetAssessmentCommand({ assessmentId: input.assessmentId }));
    if (!out.assessment) throw new DeliveryError(`GetAssessment ${input.assessmentId} returned no assessment`, 'audit-manager', 'EmptyResponse');
    remote = out.assessment;
  } catch (err) {
    if (err instanceof DeliveryError) throw err;
    const d = describeAwsError(err);
    if (d.code === 'ResourceNotFoundException' || d.code === 'ValidationException') {
      throw new DeliveryInputError(`Audit Manager assessment ${input.assessmentId} (${input.region}): ${awsErrorText(err)}`, { cause: err });
    }
    throw new DeliveryError(`GetAssessment ${input.assessmentId} (${input.region}) failed: ${awsErrorText(err)}`, 'audit-manager', d.code, { cause: err });
  }
  if (remote.metadata?.status === 'INACTIVE') {
    throw new DeliveryError(`Audit Manager assessment ${input.assessmentId} is INACTIVE; it takes no new evidence`, 'audit-manager', 'AssessmentInactive');
  }

  const { matched, unmatched } = matchControls(controlsOf(remote), catalogs, {
    mapping: input.mapping,
    automatic: input.automaticMatching,
    frameworkName: `${remote.framework?.metadata?.name ?? ''} ${remote.metadata?.complianceType ?? ''}`,
  });

  const receipt: {
    imported: AuditManagerReceipt['imported'][number][];
    alreadyImported: AuditManagerReceipt['alreadyImported'][number][];
    deferred: AuditManagerReceipt['deferred'][number][];
    failed: AuditManagerReceipt['failed'][number][];
  } = { imported: [], alreadyImported: [], deferred: [], failed: [] };
  const day = now().toISOString().slice(0, 10);
  const evidenceCache = new Map<string, EvidenceEntry>();
  const entryFor = async (id: string): Promise<EvidenceEntry> => {
    let e = evidenceCache.get(id);
    if (!e) {
      const item = await input.store.getItem(id);
      if (!item) throw new DeliveryInputError(`evidence item ${id} used by the assessment is not in the store (${input.store.description})`);
      e = evidenceEntry(item, input.bundle ?? null);
      evidenceCache.set(id, e);
    }
    return e;
  };

  for (const [i, m] of matched.entries()) {
    input.onProgress?.({ done: i, total: matched.length, detail: m.control.controlName });
    const ref = { controlSetId: m.control.controlSetId, controlId: m.control.controlId, controlName: m.control.controlName };
    if (m.control.status === 'INACTIVE') {
      receipt.deferred.push({ ...ref, reason: 'inactive', detail: 'the control is INACTIVE in the assessment' });
      continue;
    }
    const controlResults = m.refs.flatMap((r) => {
      const res = results.get(r);
      return res ? [res] : [];
    });
    if (controlResults.length === 0) {
      // Matched only to frameworks outside this pack (possible with a mapping file naming other catalogs).
      continue;
    }
    const ids = [...new Set(controlResults.flatMap((r) => r.evidenceIds))].sort();
    const evidence: EvidenceEntry[] = [];
    for (const id of ids) evidence.push(await entryFor(id));
    const built = buildEvidenceFiles({
      assessment: a,
      target: { assessmentId: input.assessmentId, ...ref },
      results: controlResults,
      evidence,
      bundle: input.bundle ?? null,
      format,
      maxBytes,
    });
    if (!built.ok) {
      receipt.deferred.push({ ...ref, reason: 'too-large', detail: built.detail });
      continue;
    }

    const lKey = ledgerKey(input.assessmentId, ref.controlSetId, ref.controlId);
    let ledger: Ledger = ((await input.store.getState(lKey)) as Ledger | undefined) ?? {
      version: 1 as const,
      assessmentId: input.assessmentId,
      controlSetId: ref.controlSetId,
      controlId: ref.controlId,
      entries: {},
    };
    const pending = built.files.filter((f) => !ledger.entries[f.sha256]);
    if (pending.length < built.files.length) {
      receipt.alreadyImported.push({ ...ref, files: built.files.filter((f) => ledger.entries[f.sha256]).map((f) => ledger.entries[f.sha256]!.fileName) });
    }
    if (pending.length === 0) continue;

    const dKey = dailyKey(ref.controlId, day);
    const used = ((await input.store.getState(dKey)) as DailyCount | undefined)?.count ?? 0;
    const available = Math.max(0, dailyLimit - used);
    const importNow = pending.slice(0, available);
    const later = pending.slice(available);
    if (later.length) {
      receipt.deferred.push({
        ...ref,
        reason: 'daily-limit',
        detail: `${later.length} of ${pending.length} file(s) wait for the next UTC day: ${used} of ${dailyLimit} manual evidence imports for this control are used on ${day}`,
      });
    }
    if (importNow.length === 0) continue;
    if (input.dryRun) {
      receipt.imported.push({ ...ref, auditpackControls: m.refs, files: importNow.map((f) => planned(f, input.evidenceBucket)) });
      continue;
    }

    // Reserve the quota before importing: a crash after the call must not let a rerun exceed it.
    let count = used + importNow.length;
    await input.store.putState(dKey, { version: 1, controlId: ref.controlId, day, count } satisfies DailyCount);
    const release = async (n: number): Promise<void> => {
      count -= n;
      await input.store.putState(dKey, { version: 1, controlId: ref.controlId, day, count } satisfies DailyCount);
    };

    const staged: { file: EvidenceFile; manual: ManualEvidence }[] = [];
    const errors: string[] = [];
    for (const f of importNow) {
      try {
        staged.push({ file: f, manual: await stage(input, f) });
      } catch (err) {
        errors.push(`${f.fileName}: ${err instanceof DeliveryError ? err.message : awsErrorText(err)}`);
      }
    }
    const done: AuditManagerFile[] = [];
    for (let at = 0; at < staged.length; at += MAX_BATCH) {
      const batch = staged.slice(at, at + MAX_BATCH);
      let rejected: { manualEvidence?: ManualEvidence; errorCode?: string; errorMessage?: string }[] = [];
      try {
        const out = await input.client.send(
          new BatchImportEvidenceToAssessmentControlCommand({
            assessmentId: input.assessmentId,
            controlSetId: ref.controlSetId,
            controlId: ref.controlId,
            manualEvidence: batch.map((s) => s.manual),
          }),
        );
        rejected = out.errors ?? [];
      } catch (err) {
        errors.push(...batch.map((s) => `${s.file.fileName}: BatchImportEvidenceToAssessmentControl: ${awsErrorText(err)}`));
        continue;
      }
      const failedNames = new Set<string>();
      for (const r of rejected) {
        const name = r.manualEvidence?.evidenceFileName ?? r.manualEvidence?.s3ResourcePath ?? '';
        failedNames.add(name);
        errors.push(`${name}: ${r.errorCode ?? 'error'} ${r.errorMessage ?? ''}`.trim());
      }
      const ok = batch.filter((s) => !failedNames.has(s.manual.evidenceFileName ?? s.manual.s3ResourcePath ?? ''));
      const entries = { ...ledger.entries };
      for (const s of ok) {
        entries[s.file.sha256] = { fileName: s.file.fileName, importedAt: now().toISOString(), packId: a.packId, manualEvidence: s.manual };
        done.push(fileReceipt(s.file, s.manual));
      }
      ledger = { ...ledger, entries };
      await input.store.putState(lKey, ledger);
    }
    const notImported = importNow.length - done.length;
    if (notImported > 0) await release(notImported);
    if (done.length) receipt.imported.push({ ...ref, auditpackControls: m.refs, files: done });
    if (errors.length) receipt.failed.push({ ...ref, error: errors.join('; ').slice(0, 2000) });
  }
  input.onProgress?.({ done: matched.length, total: matched.length, detail: 'done' });
  return {
    kind: 'audit-manager',
    bundle: { name: input.bundle?.name ?? '', sha256: input.bundle?.sha256 ?? '', size: 0, packId: a.packId },
    deliveredAt: now().toISOString(),
    assessmentId: input.assessmentId,
    assessmentName: remote.metadata?.name ?? null,
    imported: receipt.imported,
    alreadyImported: receipt.alreadyImported,
    deferred: receipt.deferred,
    failed: receipt.failed,
    unmatched: unmatched.map((c) => ({ controlSetId: c.controlSetId, controlId: c.controlId, controlName: c.controlName })),
    dryRun: input.dryRun ?? false,
  };
}

function planned(f: EvidenceFile, bucket: EvidenceBucket | undefined): AuditManagerFile {
  return fileReceipt(f, bucket ? { s3ResourcePath: s3Path(bucket, f) } : { evidenceFileName: `(upload) ${f.fileName}` });
}

function fileReceipt(f: EvidenceFile, manual: ManualEvidence): AuditManagerFile {
  return {
    fileName: f.fileName,
    sha256: f.sha256,
    size: f.body.length,
    manualEvidence: manual.s3ResourcePath ? { s3ResourcePath: manual.s3ResourcePath } : { evidenceFileName: manual.evidenceFileName ?? f.fileName },
  };
}

function s3Path(bucket: EvidenceBucket, f: EvidenceFile): string {
  return `s3://${bucket.bucket}/${bucket.prefix}${f.fileName}`;
}

/** Puts the file where Audit Manager can take it from, and returns the manual evidence entry naming it. */
async function stage(input: AuditManagerImportInput, f: EvidenceFile): Promise<ManualEvidence> {
  const b = input.evidenceBucket;
  if (b) {
    const path = s3Path(b, f);
    if (!S3_URL.test(path) || path.length > 1024) throw new DeliveryInputError(`${path} is not an S3 URL Audit Manager accepts`);
    try {
      await b.client.send(
        new PutObjectCommand({
          Bucket: b.bucket,
          Key: `${b.prefix}${f.fileName}`,
          Body: f.body,
          ContentType: f.fileName.endsWith('.json') ? 'application/json' : 'text/csv',
          ChecksumAlgorithm: 'SHA256',
          IfNoneMatch: '*',
          ...(b.kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: b.kmsKeyId } : {}),
        }),
      );
    } catch (err) {
      // 412: the same file (its name carries its hash) is already there.
      if (describeAwsError(err).status !== 412) throw new DeliveryError(`PutObject ${path}: ${awsErrorText(err)}`, 'audit-manager', describeAwsError(err).code, { cause: err });
    }
    return { s3ResourcePath: path };
  }
  let url: { uploadUrl?: string; evidenceFileName?: string };
  try {
    url = await input.client.send(new GetEvidenceFileUploadUrlCommand({ fileName: f.fileName }));
  } catch (err) {
    throw new DeliveryError(`GetEvidenceFileUploadUrl: ${awsErrorText(err)}`, 'audit-manager', describeAwsError(err).code, { cause: err });
  }
  if (!url.uploadUrl || !url.evidenceFileName) throw new DeliveryError('GetEvidenceFileUploadUrl returned no URL or file name', 'audit-manager', 'EmptyResponse');
  try {
    await (input.upload ?? putToUrl)(url.uploadUrl, f.body);
  } catch (err) {
    throw new DeliveryError((err as Error).message, 'audit-manager', 'UploadFailed', { cause: err });
  }
  return { evidenceFileName: url.evidenceFileName };
}

async function checkEvidenceBucket(b: EvidenceBucket, region: string): Promise<void> {
  let bucketRegion: string | undefined;
  try {
    bucketRegion = (await b.client.send(new HeadBucketCommand({ Bucket: b.bucket }))).BucketRegion;
  } catch (err) {
    throw new DeliveryError(`evidence bucket ${b.bucket}: HeadBucket failed: ${awsErrorText(err)}`, 'audit-manager', describeAwsError(err).code, { cause: err });
  }
  if (bucketRegion && bucketRegion !== region) {
    throw new DeliveryInputError(`evidence bucket ${b.bucket} is in ${bucketRegion}, but the assessment is in ${region}: Audit Manager imports from a bucket in its own region`);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Reads what delivery needs from a bundle without extracting it: the manifest's file hashes and the run id. */
export async function readBundleIndex(bundle: InspectedBundle): Promise<BundleIndex & { packId: string; runId: string | null }> {
  const held: { manifest?: Buffer; model?: Buffer } = {};
  await scanZip(bundle.path, async (e) => {
    if (e.unsafe || e.isDirectory) return;
    if (e.name === PATHS.manifest) held.manifest = await readAll(await e.open(), 512 * 1024 * 1024, e.name);
    else if (e.name === PATHS.model) held.model = await readAll(await e.open(), 512 * 1024 * 1024, e.name);
  });
  if (!held.manifest) throw new DeliveryInputError(`${bundle.name} has no manifest.json: not an auditpack bundle`);
  const m = parseManifest(held.manifest);
  let runId: string | null = null;
  if (held.model) {
    try {
      const doc = JSON.parse(held.model.toString('utf8')) as { runId?: unknown };
      runId = typeof doc.runId === 'string' ? doc.runId : null;
    } catch {
      runId = null;
    }
  }
  return { name: bundle.name, sha256: bundle.sha256, files: new Map(m.files.map((f) => [f.path, f.sha256])), packId: m.pack.id, runId };
}

export interface AuditManagerTargetOptions {
  readonly assessmentId: string;
  readonly region: string;
  readonly store: EvidenceStore;
  readonly client?: AuditManagerClient;
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The run whose assessment the bundle holds; default: the run id in the bundle's report model. */
  readonly runId?: string;
  readonly mapping?: ControlMappingFile;
  readonly mappingFile?: string;
  readonly automaticMatching?: boolean;
  readonly format?: 'json' | 'csv';
  readonly evidenceBucket?: EvidenceBucket;
  readonly frameworksDir?: string;
  readonly dryRun?: boolean;
  readonly maxFileBytes?: number;
  readonly dailyLimit?: number;
  readonly upload?: (url: string, body: Buffer) => Promise<void>;
  /** Destroy the evidence bucket's S3 client on close (when it was made for this target). */
  readonly ownsEvidenceBucketClient?: boolean;
}

/**
 * Audit Manager as a delivery target: takes a verified bundle, finds its assessment in the store (by the run id
 * the bundle records, or the one given) and imports it with `importToAuditManager`. The assessment must be the
 * one the bundle was built from: their pack ids must agree.
 */
export class AuditManagerTarget implements DeliveryTarget<AuditManagerReceipt> {
  readonly kind = 'audit-manager' as const;
  readonly description: string;
  private readonly client: AuditManagerClient;
  private readonly ownsClient: boolean;

  constructor(private readonly options: AuditManagerTargetOptions) {
    this.description = `AWS Audit Manager assessment ${options.assessmentId} (${options.region})`;
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new AuditManagerClient({ region: options.region, maxAttempts: 5, retryMode: 'adaptive', ...(options.credentials ? { credentials: options.credentials } : {}) });
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
    if (this.options.ownsEvidenceBucketClient) this.options.evidenceBucket?.client.destroy();
  }

  async deliver(bundle: InspectedBundle, options: DeliverOptions = {}): Promise<AuditManagerReceipt> {
    const index = await readBundleIndex(bundle);
    const runId = this.options.runId ?? index.runId;
    if (!runId) throw new DeliveryInputError(`${bundle.name} does not record its run id; give the run (--run RUN_ID)`);
    const assessment = (await this.options.store.getState(`runs/${runId}/assessment`)) as AssessmentResult | undefined;
    if (!assessment) throw new DeliveryInputError(`run ${runId} has no assessment in ${this.options.store.description}`);
    if (assessment.packId !== index.packId) {
      throw new DeliveryInputError(`run ${runId} assessed pack ${assessment.packId}, but ${bundle.name} holds pack ${index.packId}`);
    }
    const receipt = await importToAuditManager({
      ...this.options,
      client: this.client,
      assessment,
      bundle: index,
      now: options.now,
      onProgress: options.onProgress,
    });
    return { ...receipt, bundle: { name: bundle.name, sha256: bundle.sha256, size: bundle.size, packId: index.packId } };
  }
}
