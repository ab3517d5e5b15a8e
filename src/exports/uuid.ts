import { createHash } from 'node:crypto';

/** The namespace of every auditpack name-based UUID (a fixed random v4 UUID). */
export const AUDITPACK_NAMESPACE = '6b1d8a52-2f4e-4c1a-9a8e-3d5f0c7e21b4';

/** RFC 4122 version-5 UUID (SHA-1, name-based): the same name always gives the same UUID. */
export function uuidV5(name: string, namespace: string = AUDITPACK_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
