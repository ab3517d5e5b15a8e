/**
 * AWS Signature Version 4 verification, written from the specification (not with the SDK's signer), so a
 * request that the SDK signs wrongly — or not at all — is refused as AWS would refuse it.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export interface SignedRequest {
  readonly method: string;
  /** The raw request target as received: path and query string, percent-encoded as on the wire. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export class SigV4Error extends Error {
  constructor(
    readonly code:
      | 'MissingAuthenticationToken'
      | 'IncompleteSignature'
      | 'InvalidSignatureException'
      | 'SignatureDoesNotMatch'
      | 'UnrecognizedClientException'
      | 'InvalidClientTokenId',
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Parses the Authorization header, or the query parameters of a presigned URL. */
export function parseAuthorization(req: SignedRequest): SigV4Scope {
  const header = one(req.headers['authorization']);
  if (header) {
    const m = AUTH.exec(header.trim());
    if (!m)
      throw new SigV4Error('IncompleteSignature', `Authorization header is not a SigV4 header: ${header.slice(0, 60)}`);
    return {
      accessKeyId: m[1]!,
      date: m[2]!,
      region: m[3]!,
      service: m[4]!,
      signedHeaders: m[5]!.split(';'),
      signature: m[6]!,
    };
  }
  const q = new URL(req.url, 'http://x').searchParams;
  const cred = q.get('X-Amz-Credential');
  if (q.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && cred) {
    const [accessKeyId, date, region, service] = cred.split('/');
    return {
      accessKeyId: accessKeyId!,
      date: date!,
      region: region!,
      service: service!,
      signedHeaders: (q.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
      signature: q.get('X-Amz-Signature') ?? '',
    };
  }
  throw new SigV4Error('MissingAuthenticationToken', 'Request is missing Authentication Token');
}

/** Verifies the signature of `req` with `secret`; throws SigV4Error when it does not match. */
export function verifySignature(req: SignedRequest, scope: SigV4Scope, secret: string): void {
  const headerAuth = one(req.headers['authorization']) !== undefined;
  const amzDate = headerAuth
    ? one(req.headers['x-amz-date'])
    : (new URL(req.url, 'http://x').searchParams.get('X-Amz-Date') ?? undefined);
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate))
    throw new SigV4Error('IncompleteSignature', 'X-Amz-Date is missing or malformed');
  if (amzDate.slice(0, 8) !== scope.date)
    throw new SigV4Error('SignatureDoesNotMatch', 'X-Amz-Date does not match the credential scope date');
  if (!scope.signedHeaders.includes('host'))
    throw new SigV4Error('SignatureDoesNotMatch', 'the host header must be signed');
  if (headerAuth && !scope.signedHeaders.includes('x-amz-date'))
    throw new SigV4Error('SignatureDoesNotMatch', 'x-amz-date must be signed');

  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const s3 = scope.service === 's3';
  const canonicalUri = s3 ? rawPath || '/' : canonicalPath(rawPath);
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const i = kv.indexOf('=');
      const k = decode(i < 0 ? kv : kv.slice(0, i));
      const v = i < 0 ? '' : decode(kv.slice(i + 1));
      return [escape(k), escape(v)] as const;
    })
    .filter(([k]) => k !== 'X-Amz-Signature')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = [...scope.signedHeaders].sort();
  const canonicalHeaders = headers
    .map((h) => {
      const v = req.headers[h];
      if (v === undefined) throw new SigV4Error('SignatureDoesNotMatch', `signed header ${h} is not in the request`);
      return `${h}:${(Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = one(req.headers['x-amz-content-sha256']) ?? (headerAuth ? sha256(req.body) : 'UNSIGNED-PAYLOAD');
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && !payloadHash.startsWith('STREAMING-') && payloadHash !== sha256(req.body)) {
    throw new SigV4Error('SignatureDoesNotMatch', 'x-amz-content-sha256 does not match the body');
  }
  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    headers.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(Buffer.from(canonicalRequest))].join('\n');
  let key = hmac(`AWS4${secret}`, scope.date);
  key = hmac(key, scope.region);
  key = hmac(key, scope.service);
  key = hmac(key, 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (expected !== scope.signature) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      `The request signature we calculated does not match the signature you provided. Canonical request:\n${canonicalRequest}`,
    );
  }
}

/** Non-S3 services: normalize the path and URI-encode each segment of the (already encoded) wire path again. */
function canonicalPath(rawPath: string): string {
  const out: string[] = [];
  for (const seg of (rawPath || '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const path = `/${out.join('/')}${out.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return path.split('/').map(escape).join('/');
}

function escape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
