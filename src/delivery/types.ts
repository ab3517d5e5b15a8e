/**
 * Delivery of a finished, signed bundle to where the auditor reads it. A target takes a bundle that has been
 * inspected (hashed and, by default, verified: every file matches the signed manifest) and returns a receipt.
 * Receipts carry no credentials: an S3 receipt's presigned URL is the one bearer token it holds, by design, and
 * it expires.
 */

export type DeliveryKind = 's3' | 'local-directory' | 'audit-manager';

/** A bundle about to be delivered: its bytes hashed once, its signed manifest checked. */
export interface InspectedBundle {
  readonly path: string;
  /** File name (the S3 key's and the copy's last segment). */
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** From the signed manifest; null when verification was skipped. */
  readonly packId: string | null;
  /** Whether the bundle was verified (files against the signed manifest, signature intact; trust is the auditor's). */
  readonly verified: boolean;
}

export interface DeliveryProgress {
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

export interface DeliverOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: DeliveryProgress) => void;
  /** The clock (Object Lock dates, URL expiry, quotas). */
  readonly now?: () => Date;
}

interface ReceiptBase {
  readonly bundle: { readonly name: string; readonly sha256: string; readonly size: number; readonly packId: string | null };
  readonly deliveredAt: string;
}

export interface S3Receipt extends ReceiptBase {
  readonly kind: 's3';
  readonly bucket: string;
  readonly key: string;
  /** `s3://bucket/key` */
  readonly location: string;
  /** Null when the bucket is not versioned. */
  readonly versionId: string | null;
  readonly encryption: { readonly type: 'aws:kms'; readonly kmsKeyId: string | null };
  readonly retention: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly retainUntil: string } | null;
  /** The checksum S3 computed and verified on upload (SHA256; `<base64>-<parts>` for a multipart upload). */
  readonly checksumSha256: string | null;
  /** An expiring GET for the auditor, pinned to the delivered version. */
  readonly download: { readonly url: string; readonly expiresAt: string; readonly expiresInSeconds: number; readonly note: string | null };
}

export interface DirectoryReceipt extends ReceiptBase {
  readonly kind: 'local-directory';
  readonly path: string;
  /** The same bytes were already there (a repeated delivery changes nothing). */
  readonly alreadyPresent: boolean;
  /** `<name>.sha256`, in `sha256sum -c` format. */
  readonly checksumFile: string;
}

export interface AuditManagerFile {
  readonly fileName: string;
  readonly sha256: string;
  readonly size: number;
  /** `evidenceFileName` (upload URL) or `s3ResourcePath` (evidence bucket), as imported. */
  readonly manualEvidence: { readonly evidenceFileName: string } | { readonly s3ResourcePath: string };
}

export interface AuditManagerControlRef {
  readonly controlSetId: string;
  readonly controlId: string;
  readonly controlName: string;
}

export interface AuditManagerReceipt extends ReceiptBase {
  readonly kind: 'audit-manager';
  readonly assessmentId: string;
  readonly assessmentName: string | null;
  readonly imported: readonly (AuditManagerControlRef & { readonly auditpackControls: readonly string[]; readonly files: readonly AuditManagerFile[] })[];
  /** Nothing to do: the same evidence is already in the ledger. */
  readonly alreadyImported: readonly (AuditManagerControlRef & { readonly files: readonly string[] })[];
  /** Not delivered now, with the reason (daily quota reached, file over 100 MB, inactive control). */
  readonly deferred: readonly (AuditManagerControlRef & { readonly reason: 'daily-limit' | 'too-large' | 'inactive'; readonly detail: string })[];
  readonly failed: readonly (AuditManagerControlRef & { readonly error: string })[];
  /** Audit Manager controls that no auditpack control maps to. */
  readonly unmatched: readonly AuditManagerControlRef[];
  readonly dryRun: boolean;
}

export type DeliveryReceipt = S3Receipt | DirectoryReceipt | AuditManagerReceipt;

export interface DeliveryTarget<R extends DeliveryReceipt = DeliveryReceipt> {
  readonly kind: DeliveryKind;
  /** Where it delivers, for logs and messages (no secrets). */
  readonly description: string;
  deliver(bundle: InspectedBundle, options?: DeliverOptions): Promise<R>;
}

/** The delivery ran and failed (AWS refused, the upload broke, a partial import): exit code 1. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly target: DeliveryKind,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** The input is wrong (no such bundle, a bundle that fails verification, a bad mapping file): exit code 2. */
export class DeliveryInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryInputError';
  }
}

/** Describes an AWS SDK error without anything but its code, status, message and request id. */
export function describeAwsError(err: unknown): { code: string; status: number | null; message: string; requestId: string | null } {
  const e = (err ?? {}) as { name?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown } };
  const code = typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.Code === 'string' ? e.Code : 'UnknownError';
  return {
    code,
    status: typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : null,
    message: typeof e.message === 'string' ? e.message.slice(0, 500) : code,
    requestId: typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId : null,
  };
}

export function awsErrorText(err: unknown): string {
  const d = describeAwsError(err);
  return `${d.code}${d.status ? ` (HTTP ${d.status})` : ''}: ${d.message}${d.requestId ? ` [request ${d.requestId}]` : ''}`;
}
