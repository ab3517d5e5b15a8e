import type { X509Certificate } from 'node:crypto';
import { parsePemCertificates } from './keys.js';

export interface ChainResult {
  readonly trusted: boolean;
  /** Leaf first, ending at the trust anchor when trusted. Subjects, for reports. */
  readonly path: readonly string[];
  readonly problems: readonly string[];
}

const MAX_DEPTH = 8;

function validAt(cert: X509Certificate, at: Date): string | null {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return `certificate "${cert.subject}" has unreadable validity dates`;
  if (at < from) return `certificate "${cert.subject}" is not valid before ${from.toISOString()}`;
  if (at > to) return `certificate "${cert.subject}" expired on ${to.toISOString()}`;
  return null;
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * Builds a path from `leaf` through `pool` (certificates carried with the signature) to one of `anchors`, and
 * checks every signature, validity at `at`, and that every issuer is a CA. The anchors are the only
 * certificates trusted: a chain that merely ends in a self-signed root from the pool is not trusted.
 */
export function validateChain(leaf: X509Certificate, pool: readonly X509Certificate[], anchors: readonly X509Certificate[], at: Date): ChainResult {
  const problems: string[] = [];
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  let trusted = false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (anchors.some((a) => a.raw.equals(current.raw))) {
      trusted = true;
      break;
    }
    const anchor = anchors.find((a) => issues(a, current));
    if (anchor) {
      path.push(anchor);
      trusted = true;
      break;
    }
    const next = pool.find((c) => !path.includes(c) && !c.raw.equals(current.raw) && issues(c, current));
    if (!next) break;
    path.push(next);
    current = next;
  }
  if (!trusted) problems.push(`the signer certificate "${leaf.subject.replace(/\n/g, ', ')}" does not chain to the trust anchor`);
  for (const [i, cert] of path.entries()) {
    const p = validAt(cert, at);
    if (p) problems.push(p);
    if (i > 0 && !cert.ca) problems.push(`certificate "${cert.subject.replace(/\n/g, ', ')}" issued another certificate but is not a CA`);
  }
  return { trusted: trusted && problems.length === 0, path: path.map((c) => c.subject.replace(/\n/g, ', ')), problems };
}

export function loadTrustAnchors(pem: string, what: string): X509Certificate[] {
  return parsePemCertificates(pem, what);
}
