import type { EvidenceItem } from '../evidence/model.js';

/**
 * Where things go in a bundle. Every path matches BUNDLE_PATH (letters, digits, `._-`, `/`), which keeps the
 * README's shell commands safe to paste.
 */
export const PATHS = {
  readme: 'README.txt',
  manifest: 'manifest.json',
  signature: 'manifest.json.p7s',
  signerChain: 'signer-chain.pem',
  pdf: 'report/pack.pdf',
  html: 'report/pack.html',
  model: 'report/report-model.json',
  ocsf: 'exports/ocsf-compliance-findings.json',
  oscal: 'exports/oscal-assessment-results.json',
  controlsCsv: 'exports/controls.csv',
  index: (name: 'by-control' | 'by-source' | 'by-date', ext: 'csv' | 'json') => `indexes/${name}.${ext}`,
} as const;

/** The files that are not listed in the manifest: the manifest itself and its signature. */
export const UNLISTED = new Set<string>([PATHS.manifest, PATHS.signature]);

const EXTENSIONS: Record<string, string> = {
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'text/csv': 'csv',
  'text/plain': 'txt',
  'text/html': 'html',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/pdf': 'pdf',
  'application/gzip': 'gz',
  'application/x-gzip': 'gz',
  'application/zip': 'zip',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

export function extensionFor(mediaType: string): string {
  return EXTENSIONS[mediaType.split(';')[0]!.trim().toLowerCase()] ?? 'bin';
}

/** Start of the observation: the instant, or the start of the window. */
export function observedStart(item: EvidenceItem): string {
  return item.observedAt.type === 'instant' ? item.observedAt.at : item.observedAt.start;
}

export function observedEnd(item: EvidenceItem): string {
  return item.observedAt.type === 'instant' ? item.observedAt.at : item.observedAt.end;
}

function evidenceDir(item: EvidenceItem): string {
  return `evidence/${item.collector}/${observedStart(item).slice(0, 10)}`;
}

/** `evidence/<collector>/<YYYY-MM-DD of the observation start>/<id>.json.gz` */
export function evidencePath(item: EvidenceItem): string {
  return `${evidenceDir(item)}/${item.id}.json.gz`;
}

export type RawPlacement =
  | { readonly kind: 'file'; readonly path: string }
  /** Sensitive payloads (e.g. Bedrock prompts) never leave the store: the bundle carries only their hash. */
  | { readonly kind: 'withheld'; readonly reason: string };

/**
 * Where an item's raw payload goes: AWS Artifact report PDFs to `attachments/aws-artifact/`, other payloads beside
 * the evidence record as `<id>.raw.<ext>`, sensitive ones nowhere.
 */
export function rawPlacement(item: EvidenceItem): RawPlacement | null {
  if (!item.raw) return null;
  if (item.raw.sensitive) return { kind: 'withheld', reason: 'sensitive: the raw payload stays in the evidence store; its SHA-256 is in the record' };
  const ext = extensionFor(item.raw.mediaType);
  if (item.kind === 'artifact.report') return { kind: 'file', path: `attachments/aws-artifact/${item.account}-${item.id}.${ext}` };
  return { kind: 'file', path: `${evidenceDir(item)}/${item.id}.raw.${ext}` };
}

/** What indexes and exports need to know about one bundled evidence item (kept small: one per item in memory). */
export interface BundledEvidence {
  readonly id: string;
  readonly collector: string;
  readonly kind: string;
  readonly account: string;
  readonly region: string;
  readonly resource: string | null;
  readonly status: 'collected' | 'not_applicable' | 'error';
  readonly statusDetail: string;
  readonly observedStart: string;
  readonly observedEnd: string;
  readonly collectedAt: string;
  readonly sources: string;
  readonly path: string;
  readonly rawPath: string | null;
  readonly rawSha256: string | null;
  readonly rawNote: string;
}

export function summarize(item: EvidenceItem): BundledEvidence {
  const raw = rawPlacement(item);
  const s = item.status;
  return {
    id: item.id,
    collector: item.collector,
    kind: item.kind,
    account: item.account,
    region: item.region,
    resource: item.resource,
    status: s.state,
    statusDetail: s.state === 'error' ? `${s.code}: ${s.message}` : s.state === 'not_applicable' ? s.reason : '',
    observedStart: observedStart(item),
    observedEnd: observedEnd(item),
    collectedAt: item.collectedAt,
    sources: item.provenance.sources.map((src) => (src.type === 'api' ? src.operation : `${src.path}${src.locator ? `#${src.locator}` : ''}`)).join(' '),
    path: evidencePath(item),
    rawPath: raw?.kind === 'file' ? raw.path : null,
    rawSha256: item.raw?.sha256 ?? null,
    rawNote: raw === null ? '' : raw.kind === 'withheld' ? 'withheld (sensitive)' : raw.path.startsWith('attachments/') ? 'attachment' : '',
  };
}
