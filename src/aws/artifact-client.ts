import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * A small AWS Artifact client (service `artifact`, API 2018-05-10, restJson1, SigV4), for the four read operations
 * the Artifact collector sends. There is no `@aws-sdk/client-artifact` in the dependency set; this signs requests
 * with `@smithy/signature-v4` and sends them with the given `fetch`. Routes, query members and output shapes follow
 * the official Smithy model (`artifact-2018-05-10.json`).
 *
 * Errors look like the SDK's service exceptions (`name` from `x-amzn-errortype`, `$fault`, `$metadata`), so
 * `classifyAwsError` and `withRetry` treat them the same way. Network failures and aborts are passed through as
 * `fetch` raised them (their `cause.code`, e.g. ECONNREFUSED or ENOTFOUND, is what the classifier reads).
 */

export type ArtifactPublishedState = 'PUBLISHED' | 'UNPUBLISHED';
export type ArtifactUploadState = 'PROCESSING' | 'COMPLETE' | 'FAILED' | 'FAULT';
export type ArtifactAcceptanceType = 'PASSTHROUGH' | 'EXPLICIT';

/** What every response carries besides its members, as in the SDK. */
export interface ArtifactResponseMetadata {
  readonly httpStatusCode: number;
  readonly requestId: string | undefined;
  readonly attempts: number;
  readonly totalRetryDelay: number;
}

/** Smithy `com.amazonaws.artifact#ReportSummary` (timestamps are `date-time` strings on the wire and here). */
export interface ArtifactReportSummary {
  id?: string;
  name?: string;
  state?: ArtifactPublishedState;
  arn?: string;
  version?: number;
  uploadState?: ArtifactUploadState;
  description?: string;
  periodStart?: string;
  periodEnd?: string;
  series?: string;
  category?: string;
  companyName?: string;
  productName?: string;
  statusMessage?: string;
  acceptanceType?: ArtifactAcceptanceType;
}

/** Smithy `com.amazonaws.artifact#ReportDetail`. */
export interface ArtifactReportDetail extends ArtifactReportSummary {
  createdAt?: string;
  lastModifiedAt?: string;
  deletedAt?: string;
  termArn?: string;
  sequenceNumber?: number;
}

export interface ListReportsInput {
  /** 1..300. */
  maxResults?: number;
  nextToken?: string;
}
export interface ListReportsOutput {
  reports?: ArtifactReportSummary[];
  nextToken?: string;
  $metadata: ArtifactResponseMetadata;
}

export interface ReportInput {
  reportId: string;
  reportVersion?: number;
}
export interface GetReportMetadataOutput {
  reportDetails?: ArtifactReportDetail;
  $metadata: ArtifactResponseMetadata;
}
export interface GetTermForReportOutput {
  documentPresignedUrl?: string;
  termToken?: string;
  $metadata: ArtifactResponseMetadata;
}
export interface GetReportInput extends ReportInput {
  /** From GetTermForReport; required. */
  termToken: string;
}
export interface GetReportOutput {
  documentPresignedUrl?: string;
  $metadata: ArtifactResponseMetadata;
}

export interface ArtifactClientOptions {
  readonly region: string;
  /** Default: the standard credential chain (`fromNodeProviderChain()`), resolved on first use. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly fetch?: typeof fetch;
  /** Endpoint override; default `AWS_ENDPOINT_URL_ARTIFACT`, then `AWS_ENDPOINT_URL`, then the regional endpoint. */
  readonly endpoint?: string;
  /** Where the endpoint variables are read from (tests); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** An error response of the Artifact API, shaped like an SDK v3 service exception. */
export class ArtifactServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: ArtifactResponseMetadata;

  constructor(
    name: string,
    message: string,
    fault: 'client' | 'server',
    metadata: ArtifactResponseMetadata,
    /** Members of the error structure (`resourceId`, `reason`, `retryAfterSeconds`, …) as AWS sent them. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = name;
    this.$fault = fault;
    this.$metadata = metadata;
  }
}

/** Status codes of the Smithy error structures, for responses without `x-amzn-errortype`. */
const ERROR_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  402: 'ServiceQuotaExceededException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
};

/**
 * The endpoint for `region`: an explicit override, else `AWS_ENDPOINT_URL_ARTIFACT`, else `AWS_ENDPOINT_URL` (both
 * ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`, as in the SDK), else `https://artifact.<region>.<dns suffix>`.
 */
export function artifactEndpoint(
  region: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  override?: string,
): URL {
  const ignore = env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']?.toLowerCase() === 'true';
  const configured =
    override ??
    (ignore ? undefined : (nonEmpty(env['AWS_ENDPOINT_URL_ARTIFACT']) ?? nonEmpty(env['AWS_ENDPOINT_URL'])));
  if (configured) return new URL(configured);
  if (!/^[a-z]{2,}(-[a-z0-9]+)*-\d+$/.test(region))
    throw new Error(`invalid AWS region "${region}" for the Artifact endpoint`);
  return new URL(`https://artifact.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim().length > 0 ? v.trim() : undefined;
}

/** RFC 3986 encoding, as SigV4 canonicalises query strings (`URLSearchParams` would write a space as `+`). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class ArtifactClient {
  readonly region: string;
  readonly endpoint: URL;
  private readonly fetchFn: typeof fetch;
  private readonly signer: SignatureV4;

  constructor(options: ArtifactClientOptions) {
    this.region = options.region;
    this.endpoint = artifactEndpoint(options.region, options.env ?? process.env, options.endpoint);
    this.fetchFn = options.fetch ?? fetch;
    let credentials = options.credentials;
    if (credentials === undefined) {
      let chain: AwsCredentialIdentityProvider | undefined;
      credentials = () => (chain ??= fromNodeProviderChain())();
    }
    this.signer = new SignatureV4({ service: 'artifact', region: options.region, credentials, sha256: Sha256 });
  }

  listReports(input: ListReportsInput = {}, options: { abortSignal?: AbortSignal } = {}): Promise<ListReportsOutput> {
    return this.get<ListReportsOutput>(
      '/v1/report/list',
      { maxResults: input.maxResults, nextToken: input.nextToken },
      options.abortSignal,
    );
  }

  getReportMetadata(input: ReportInput, options: { abortSignal?: AbortSignal } = {}): Promise<GetReportMetadataOutput> {
    return this.get<GetReportMetadataOutput>(
      '/v1/report/getMetadata',
      { reportId: required(input.reportId, 'reportId'), reportVersion: input.reportVersion },
      options.abortSignal,
    );
  }

  getTermForReport(input: ReportInput, options: { abortSignal?: AbortSignal } = {}): Promise<GetTermForReportOutput> {
    return this.get<GetTermForReportOutput>(
      '/v1/report/getTermForReport',
      { reportId: required(input.reportId, 'reportId'), reportVersion: input.reportVersion },
      options.abortSignal,
    );
  }

  getReport(input: GetReportInput, options: { abortSignal?: AbortSignal } = {}): Promise<GetReportOutput> {
    return this.get<GetReportOutput>(
      '/v1/report/get',
      {
        reportId: required(input.reportId, 'reportId'),
        reportVersion: input.reportVersion,
        termToken: required(input.termToken, 'termToken'),
      },
      options.abortSignal,
    );
  }

  /** One signed GET; the JSON body plus `$metadata`, or an `ArtifactServiceError`. */
  private async get<T extends { $metadata: ArtifactResponseMetadata }>(
    route: string,
    params: Record<string, string | number | undefined>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    signal?.throwIfAborted();
    const base = this.endpoint;
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) query[k] = String(v);
    const path = `${base.pathname.replace(/\/+$/, '')}${route}`;
    const request = new HttpRequest({
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path,
      query,
      headers: { host: base.host, accept: 'application/json' },
    });
    const signed = await this.signer.sign(request);
    signal?.throwIfAborted();
    // Query values are sent exactly as signed (the signer adds no query members when it signs headers).
    const qs = Object.keys(query)
      .sort()
      .map((k) => `${rfc3986(k)}=${rfc3986(query[k]!)}`)
      .join('&');
    // `fetch` sets Host itself from the URL, to the same value that was signed.
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== 'host'));
    const res = await this.fetchFn(`${base.origin}${signed.path}${qs ? `?${qs}` : ''}`, {
      method: 'GET',
      headers,
      signal: signal ?? null,
    });
    const text = await res.text();
    const metadata: ArtifactResponseMetadata = {
      httpStatusCode: res.status,
      requestId: res.headers.get('x-amzn-requestid') ?? res.headers.get('x-amz-request-id') ?? undefined,
      attempts: 1,
      totalRetryDelay: 0,
    };
    let body: unknown = undefined;
    if (text.trim().length > 0) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
    }
    if (res.status < 200 || res.status >= 300) throw errorOf(res, metadata, body);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ArtifactServiceError(
        'SerializationException',
        `${route}: the response body is not a JSON object (HTTP ${res.status})`,
        'server',
        metadata,
      );
    }
    return { ...(body as Record<string, unknown>), $metadata: metadata } as T;
  }
}

function required(value: string, member: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ArtifactServiceError('ValidationException', `${member} is required`, 'client', {
      httpStatusCode: 0,
      requestId: undefined,
      attempts: 0,
      totalRetryDelay: 0,
    });
  return value;
}

function errorOf(res: Response, metadata: ArtifactResponseMetadata, body: unknown): ArtifactServiceError {
  const members =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  // restJson1: the error type is in x-amzn-errortype, possibly followed by ":<namespace uri>"; some gateways put it
  // in the body's `__type` (possibly `namespace#Name`) or `code` instead.
  const raw =
    res.headers.get('x-amzn-errortype') ??
    (typeof members['__type'] === 'string' ? members['__type'] : undefined) ??
    (typeof members['code'] === 'string' ? members['code'] : undefined);
  const fromHeader = raw?.split(':')[0]?.split('#').pop()?.trim();
  const name =
    fromHeader ||
    ERROR_BY_STATUS[res.status] ||
    (res.status >= 500 ? 'InternalServerException' : `Http${res.status}Error`);
  const message =
    typeof members['message'] === 'string'
      ? members['message']
      : typeof members['Message'] === 'string'
        ? members['Message']
        : `${name} (HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''})`;
  const { message: _m, Message: _M, __type: _t, ...details } = members;
  return new ArtifactServiceError(name, message, res.status >= 500 ? 'server' : 'client', metadata, details);
}

/** A download from a presigned URL that did not deliver the whole document. */
export class IncompleteDownloadError extends Error {
  /** Retried like a server fault: the connection broke, the object is fine. */
  readonly $fault = 'server' as const;
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteDownload';
  }
}

/** Default ceiling for one downloaded document (AWS compliance reports are a few MB). */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Downloads a presigned URL with plain `fetch` (no signing: the URL carries its own). The body is read to the end
 * and checked against `Content-Length`; a body that stops early (socket closed, fewer bytes than announced) throws
 * `IncompleteDownloadError` and nothing of it is returned (`lengthChecked` is false when the server announced no
 * length, or the body was content-encoded, so the caller can check the format's own end marker). HTTP errors throw an SDK-like error (S3's XML `<Code>`
 * as the name). The URL itself is never put in a message: it carries a signature.
 */
export async function downloadPresigned(
  fetchFn: typeof fetch,
  url: string,
  signal: AbortSignal,
  maxBytes: number = MAX_DOCUMENT_BYTES,
): Promise<{ bytes: Uint8Array; contentType: string | null; requestId: string | null; lengthChecked: boolean }> {
  signal.throwIfAborted();
  const res = await fetchFn(url, { method: 'GET', signal });
  const requestId = res.headers.get('x-amz-request-id') ?? res.headers.get('x-amzn-requestid');
  const metadata: ArtifactResponseMetadata = {
    httpStatusCode: res.status,
    requestId: requestId ?? undefined,
    attempts: 1,
    totalRetryDelay: 0,
  };
  if (!res.ok) {
    let text = '';
    try {
      text = await res.text();
    } catch {
      text = '';
    }
    const code =
      /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ??
      ERROR_BY_STATUS[res.status] ??
      (res.status >= 500 ? 'InternalError' : `Http${res.status}Error`);
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `document download failed with HTTP ${res.status}`;
    throw new ArtifactServiceError(
      code,
      `document download: ${message}`,
      res.status >= 500 ? 'server' : 'client',
      metadata,
    );
  }
  const announced = res.headers.get('content-length');
  const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  const expected = announced !== null && /^\d+$/.test(announced) && !encoded ? Number(announced) : null;
  if (expected !== null && expected > maxBytes)
    throw new ArtifactServiceError(
      'DocumentTooLarge',
      `document download: ${expected} bytes is over the ${maxBytes}-byte limit`,
      'client',
      metadata,
    );
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    if (res.body) {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > maxBytes) {
          await reader.cancel();
          throw new ArtifactServiceError(
            'DocumentTooLarge',
            `document download: over the ${maxBytes}-byte limit`,
            'client',
            metadata,
          );
        }
        chunks.push(value);
      }
    }
  } catch (err) {
    if (signal.aborted || err instanceof ArtifactServiceError) throw err;
    throw new IncompleteDownloadError(
      `document download ended after ${received}${expected !== null ? ` of ${expected}` : ''} bytes: ${describeCause(err)}`,
    );
  }
  if (expected !== null && received !== expected)
    throw new IncompleteDownloadError(`document download ended after ${received} of ${expected} bytes`);
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { bytes, contentType: res.headers.get('content-type'), requestId, lengthChecked: expected !== null };
}

function describeCause(err: unknown): string {
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : null;
  const message =
    typeof e?.cause?.message === 'string' ? e.cause.message : typeof e?.message === 'string' ? e.message : String(err);
  return code ? `${code}: ${message}` : message;
}
