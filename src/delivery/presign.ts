import { GetObjectCommand, type S3Client, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { MAX_PRESIGN_SECONDS } from './config.js';

export interface PresignedUrl {
  readonly url: string;
  /** When the URL stops working: the requested expiry, or earlier if the signing credentials expire first. */
  readonly expiresAt: string;
  readonly expiresInSeconds: number;
  /** Set when the credentials' own expiry cuts the URL's lifetime short. */
  readonly note: string | null;
}

class CapturedRequest extends Error {
  constructor(
    readonly request: HttpRequest,
    readonly signingRegion: string | undefined,
  ) {
    super('request captured for presigning');
    this.name = 'AuditpackPresignCapture';
  }
}

/** RFC 3986, as SigV4 canonicalizes query strings. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A presigned GET (SigV4 query-string authentication) for one object version, signed locally with
 * `@smithy/signature-v4`; no request is sent. The request is built by the client's own middleware (endpoint
 * rules, path or virtual-hosted style, FIPS/dual-stack, AWS_ENDPOINT_URL_S3) and captured just before it would be
 * signed, so the URL has exactly the host and path the SDK would use. Only `host` is signed and the payload is
 * `UNSIGNED-PAYLOAD`, so any HTTP client (a browser, curl) can use the URL.
 *
 * The URL carries the access key id (and session token, for temporary credentials) but never the secret key; it
 * is a bearer token for this one object version until it expires.
 */
export async function presignGetObject(
  client: S3Client,
  input: { readonly Bucket: string; readonly Key: string; readonly VersionId?: string },
  options: { readonly expiresIn: number; readonly signingDate?: Date },
): Promise<PresignedUrl> {
  const { expiresIn } = options;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw new RangeError(`a presigned URL lasts 1 to ${MAX_PRESIGN_SECONDS} seconds (7 days), not ${expiresIn}`);
  }
  const command = new GetObjectCommand({ Bucket: input.Bucket, Key: input.Key, ...(input.VersionId ? { VersionId: input.VersionId } : {}) });
  const stack = client.middlewareStack.clone();
  const capture: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (_next, context) => (args) => {
    if (!HttpRequest.isInstance(args.request)) return Promise.reject(new Error('presign: the SDK did not build an HTTP request'));
    const region: unknown = context['signing_region'];
    return Promise.reject(new CapturedRequest(args.request, typeof region === 'string' ? region : undefined));
  };
  stack.addRelativeTo(capture, { name: 'auditpackPresignCapture', relation: 'before', toMiddleware: 'awsAuthMiddleware', override: true });
  let captured: CapturedRequest | null = null;
  try {
    await command.resolveMiddleware(stack, client.config, {})({ input: command.input });
  } catch (err) {
    if (!(err instanceof CapturedRequest)) throw err;
    captured = err;
  }
  if (!captured) throw new Error('presign: the request was sent instead of captured');
  const sent = captured.request;
  const host = sent.headers['host'] ?? `${sent.hostname}${sent.port ? `:${sent.port}` : ''}`;
  // Only the object's own parameters stay in the query; SDK bookkeeping headers are dropped.
  const request = new HttpRequest({
    method: 'GET',
    protocol: sent.protocol,
    hostname: sent.hostname,
    port: sent.port,
    path: sent.path,
    query: { ...sent.query },
    headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const region = captured.signingRegion ?? (await client.config.region());
  const signer = new SignatureV4({ credentials: client.config.credentials, region, service: 's3', sha256: client.config.sha256, uriEscapePath: false });
  const signingDate = options.signingDate ?? new Date();
  const unsigned = new Set(['x-amz-content-sha256']);
  const signed = await signer.presign(request, { expiresIn, signingDate, unsignableHeaders: unsigned, unhoistableHeaders: unsigned });

  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : v === null ? [] : [[k, v] as const]))
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .join('&');
  const url = `${signed.protocol}//${host}${signed.path}?${query}`;

  const identity = await client.config.credentials();
  let expiresAt = signingDate.getTime() + expiresIn * 1000;
  let note: string | null = null;
  if (identity.expiration && identity.expiration.getTime() < expiresAt) {
    expiresAt = identity.expiration.getTime();
    note = `the signing credentials expire at ${identity.expiration.toISOString()}, so the link stops working then; sign with longer-lived credentials for a longer link`;
  }
  return {
    url,
    expiresAt: new Date(expiresAt).toISOString(),
    expiresInSeconds: Math.max(0, Math.floor((expiresAt - signingDate.getTime()) / 1000)),
    note,
  };
}
