/** Amazon S3 REST (XML): ListObjectsV2, GetObject, HeadObject, GetBucketLocation over the estate's buckets. */
import type { Estate, S3Object } from '../estate.js';
import { AwsError } from '../types.js';

export interface S3Request {
  readonly method: string;
  readonly bucket: string | null;
  readonly key: string | null;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface S3Response {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * Splits an S3 request into bucket and key. Path style (`/bucket/key`, what the SDK uses for an IP endpoint such
 * as 127.0.0.1) and virtual-hosted style (`bucket.localhost:PORT/key`, what it uses for a host name) both work.
 */
export function s3Target(host: string, rawPath: string): { bucket: string | null; key: string | null } {
  const hostname = host.replace(/:\d+$/, '');
  const vhost = /^(.+)\.(?:localhost|s3\.[a-z0-9-]+\.amazonaws\.com|s3\.amazonaws\.com)$/.exec(hostname);
  const parts = rawPath.replace(/^\//, '');
  if (vhost) return { bucket: vhost[1]!, key: parts ? decodeURIComponent(parts) : null };
  if (!parts) return { bucket: null, key: null };
  const slash = parts.indexOf('/');
  if (slash < 0) return { bucket: decodeURIComponent(parts), key: null };
  const key = parts.slice(slash + 1);
  return { bucket: decodeURIComponent(parts.slice(0, slash)), key: key ? decodeURIComponent(key) : null };
}

export function s3Operation(r: S3Request): string {
  if (!r.bucket) return r.method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (!r.key) {
    if (r.method === 'GET' && r.query.has('location')) return 'GetBucketLocation';
    if (r.method === 'GET' && r.query.get('list-type') === '2') return 'ListObjectsV2';
    if (r.method === 'GET') return 'ListObjects';
    if (r.method === 'HEAD') return 'HeadBucket';
    return 'Unknown';
  }
  if (r.method === 'GET') return 'GetObject';
  if (r.method === 'HEAD') return 'HeadObject';
  return 'Unknown';
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export type Pager = (
  items: S3Object[],
  token: string | undefined,
  size: number,
) => { items: S3Object[]; next: string | undefined };

export function handleS3(estate: Estate, r: S3Request, op: string, page: Pager, maxPage: number): S3Response {
  const bucketOf = (estate: Estate, name: string): Map<string, S3Object> => {
    const b = estate.buckets.get(name);
    if (!b) throw new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist');
    // ExpectedBucketOwner: S3 refuses the request when the bucket belongs to another account.
    const expected = one(r.headers['x-amz-expected-bucket-owner']);
    if (expected !== undefined && expected !== estate.bucketOwners.get(name))
      throw new AwsError('AccessDenied', 403, 'Access Denied');
    return b;
  };
  switch (op) {
    case 'GetBucketLocation': {
      bucketOf(estate, r.bucket!);
      return xml(
        `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${XMLNS}">eu-west-1</LocationConstraint>`,
      );
    }
    case 'HeadBucket':
      bucketOf(estate, r.bucket!);
      return { status: 200, headers: { 'x-amz-bucket-region': 'eu-west-1' }, body: Buffer.alloc(0) };
    case 'ListObjectsV2': {
      const bucket = bucketOf(estate, r.bucket!);
      const prefix = r.query.get('prefix') ?? '';
      const delimiter = r.query.get('delimiter') ?? '';
      const startAfter = r.query.get('start-after') ?? '';
      const maxKeys = Math.min(Number(r.query.get('max-keys') ?? 1000), 1000);
      const urlEncode = r.query.get('encoding-type') === 'url';
      const enc = (s: string): string => xmlEscape(urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
      const keys = [...bucket.values()]
        .filter((o) => o.key.startsWith(prefix) && o.key > startAfter)
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      // Common prefixes collapse into one entry each, in key order, as S3 does.
      const entries: S3Object[] = [];
      const seen = new Set<string>();
      for (const o of keys) {
        if (delimiter) {
          const i = o.key.indexOf(delimiter, prefix.length);
          if (i >= 0) {
            const cp = o.key.slice(0, i + delimiter.length);
            if (!seen.has(cp)) {
              seen.add(cp);
              entries.push({ ...o, key: cp, etag: '', bytes: Buffer.alloc(0), lastModifiedMs: -1 });
            }
            continue;
          }
        }
        entries.push(o);
      }
      const size = Math.max(1, Math.min(maxKeys, maxPage));
      const p = page(entries, r.query.get('continuation-token') ?? undefined, size);
      const contents = p.items.filter((o) => o.lastModifiedMs >= 0);
      const prefixes = p.items.filter((o) => o.lastModifiedMs < 0);
      const body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${XMLNS}">` +
        `<Name>${xmlEscape(r.bucket!)}</Name><Prefix>${enc(prefix)}</Prefix>` +
        (r.query.has('continuation-token')
          ? `<ContinuationToken>${xmlEscape(r.query.get('continuation-token')!)}</ContinuationToken>`
          : '') +
        (startAfter ? `<StartAfter>${enc(startAfter)}</StartAfter>` : '') +
        `<KeyCount>${p.items.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
        (delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : '') +
        (urlEncode ? '<EncodingType>url</EncodingType>' : '') +
        `<IsTruncated>${p.next ? 'true' : 'false'}</IsTruncated>` +
        (p.next ? `<NextContinuationToken>${xmlEscape(p.next)}</NextContinuationToken>` : '') +
        contents
          .map(
            (o) =>
              `<Contents><Key>${enc(o.key)}</Key><LastModified>${new Date(o.lastModifiedMs).toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag>` +
              `<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>${o.bytes.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join('') +
        prefixes.map((o) => `<CommonPrefixes><Prefix>${enc(o.key)}</Prefix></CommonPrefixes>`).join('') +
        `</ListBucketResult>`;
      return xml(body);
    }
    case 'GetObject':
    case 'HeadObject': {
      const o = bucketOf(estate, r.bucket!).get(r.key!);
      if (!o) throw new AwsError('NoSuchKey', 404, 'The specified key does not exist.');
      const headers: Record<string, string> = {
        'content-type': o.contentType,
        etag: o.etag,
        'last-modified': new Date(o.lastModifiedMs).toUTCString(),
        'accept-ranges': 'bytes',
        'x-amz-server-side-encryption': 'AES256',
      };
      let body = o.bytes;
      let status = 200;
      const range = one(r.headers['range']);
      const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
      if (m) {
        const start = Number(m[1]);
        const end = m[2] ? Math.min(Number(m[2]), o.bytes.length - 1) : o.bytes.length - 1;
        if (start >= o.bytes.length) throw new AwsError('InvalidRange', 416, 'The requested range is not satisfiable');
        body = o.bytes.subarray(start, end + 1);
        headers['content-range'] = `bytes ${start}-${end}/${o.bytes.length}`;
        status = 206;
      }
      headers['content-length'] = String(body.length);
      return { status, headers, body: op === 'HeadObject' ? Buffer.alloc(0) : body };
    }
    default:
      throw new AwsError('NotImplemented', 501, `The fake AWS does not implement S3 ${op} (${r.method})`);
  }
}

function xml(body: string): S3Response {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) };
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
