/**
 * Bearer tokens, stored hashed: `sha256:<hex>` (for long random tokens, which is what `--new-token` makes) or
 * `scrypt:N:r:p:<salt>:<hash>` (for anything a person might choose). Presented tokens are compared in constant
 * time against every configured entry; no entry is skipped when one matches.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Role, TokenEntry } from './config.js';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** Auditors: run ids (a trailing * matches a prefix). */
  readonly packs: readonly string[];
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scrypt(secret: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new random token (256 bits, base64url): give it to its holder once, store only its hash. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The config form of a token's hash. */
export async function hashToken(token: string, kind: 'sha256' | 'scrypt' = 'scrypt'): Promise<string> {
  if (kind === 'sha256') return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
  const salt = randomBytes(16);
  const key = await scrypt(token, salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 256 * SCRYPT.N * SCRYPT.r,
  });
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString('base64')}:${key.toString('base64')}`;
}

type Compiled =
  | { readonly type: 'sha256'; readonly digest: Buffer; readonly principal: Principal }
  | {
      readonly type: 'scrypt';
      readonly N: number;
      readonly r: number;
      readonly p: number;
      readonly salt: Buffer;
      readonly key: Buffer;
      readonly principal: Principal;
    };

function compile(e: TokenEntry): Compiled {
  const principal: Principal = { name: e.name, role: e.role, packs: e.packs };
  const parts = e.hash.split(':');
  if (parts[0] === 'sha256') return { type: 'sha256', digest: Buffer.from(parts[1]!, 'hex'), principal };
  const [, n, r, p, salt, key] = parts;
  return {
    type: 'scrypt',
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    key: Buffer.from(key!, 'base64'),
    principal,
  };
}

/** Checks presented tokens against the configured hashes. */
export class TokenVerifier {
  private readonly entries: readonly Compiled[];
  /** sha256 of tokens already verified against a scrypt entry → that entry (scrypt is slow by design). */
  private readonly verified = new Map<string, Compiled>();

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map(compile);
  }

  get size(): number {
    return this.entries.length;
  }

  async verify(presented: string): Promise<Principal | null> {
    if (presented.length === 0 || presented.length > 1024) return null;
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let match: Compiled | null = null;
    for (const e of this.entries) {
      if (e.type === 'sha256' && timingSafeEqual(digest, e.digest) && !match) match = e;
    }
    if (match) return match.principal;
    const cached = this.verified.get(digest.toString('hex'));
    if (cached) return cached.principal;
    for (const e of this.entries) {
      if (e.type !== 'scrypt') continue;
      const key = await scrypt(presented, e.salt, e.key.length, { N: e.N, r: e.r, p: e.p, maxmem: 256 * e.N * e.r });
      if (key.length === e.key.length && timingSafeEqual(key, e.key) && !match) match = e;
    }
    if (!match) return null;
    if (this.verified.size >= 1000) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(digest.toString('hex'), match);
    return match.principal;
  }
}

/** Whether an auditor's share list covers a run id (exact, or a prefix ending in *). */
export function sharedWith(principal: Principal, runId: string): boolean {
  return principal.packs.some((p) => (p.endsWith('*') ? runId.startsWith(p.slice(0, -1)) : p === runId));
}

/** Parses `Authorization`: `Bearer <token>`, or (only where `basic` is allowed) HTTP Basic with the token as password. */
export function presentedToken(header: string | undefined, basic: boolean): string | null {
  if (!header) return null;
  const bearer = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (bearer) return bearer[1]!;
  if (basic) {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    if (m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(colon + 1) : null;
    }
  }
  return null;
}
