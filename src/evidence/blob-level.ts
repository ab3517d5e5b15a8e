/** Media types whose bytes are compressed already: deflating them again costs time and saves nothing. */
const COMPRESSED = new Set(['application/gzip', 'application/x-gzip', 'application/zip', 'image/png', 'image/jpeg']);

/** The gzip level a store keeps a blob of this media type at: 0 (stored blocks, no deflate) for compressed data. */
export function blobLevel(mediaType: string): 0 | 6 {
  return COMPRESSED.has(mediaType.split(';')[0]!.trim().toLowerCase()) ? 0 : 6;
}
