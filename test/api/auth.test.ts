// Token hashes, constant-time verification, share lists, header parsing and the failure limiter (with an
// injected clock).
import { describe, expect, it } from 'vitest';
import { hashToken, newToken, presentedToken, sharedWith, TokenVerifier } from '../../src/api/auth.js';
import { ApiSection, TOKEN_HASH } from '../../src/api/config.js';
import { MemoryFailureLimiter } from '../../src/api/limiter.js';

describe('tokens', () => {
  it('verifies sha256 and scrypt hashes, and nothing else', async () => {
    const [a, b] = [newToken(), newToken()];
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const entries = ApiSection.parse({
      tokens: [
        { name: 'olivia', role: 'officer', hash: await hashToken(a, 'sha256') },
        {
          name: 'ext',
          role: 'auditor',
          hash: await hashToken(b, 'scrypt'),
          packs: ['monthly-soc2-*', 'pack-2026-10-abc'],
        },
      ],
    }).tokens;
    for (const e of entries) expect(e.hash).toMatch(TOKEN_HASH);
    expect(entries[1]!.hash).not.toContain(b);
    const v = new TokenVerifier(entries);
    expect(await v.verify(a)).toEqual({ name: 'olivia', role: 'officer', packs: [] });
    expect(await v.verify(b)).toMatchObject({ name: 'ext', role: 'auditor' });
    expect(await v.verify(b)).toMatchObject({ name: 'ext' }); // from the cache of verified scrypt tokens
    expect(await v.verify(`${a}x`)).toBeNull();
    expect(await v.verify('')).toBeNull();
    expect(await v.verify('x'.repeat(2000))).toBeNull();
    // Two hashes of the same token differ (salted), both verify.
    const again = await hashToken(b, 'scrypt');
    expect(again).not.toBe(entries[1]!.hash);
    expect(await new TokenVerifier([{ ...entries[1]!, hash: again }]).verify(b)).not.toBeNull();
  });

  it('shares packs with auditors by id or prefix', () => {
    const p = { name: 'ext', role: 'auditor' as const, packs: ['monthly-soc2-*', 'pack-2026-10-abc'] };
    expect(sharedWith(p, 'monthly-soc2-2026-10')).toBe(true);
    expect(sharedWith(p, 'pack-2026-10-abc')).toBe(true);
    expect(sharedWith(p, 'pack-2026-10-abcd')).toBe(false);
    expect(sharedWith(p, 'monthly-gdpr-2026-10')).toBe(false);
  });

  it('reads Bearer everywhere and Basic only where allowed', () => {
    expect(presentedToken('Bearer abc.DEF-1_2', false)).toBe('abc.DEF-1_2');
    expect(presentedToken('bearer abc', false)).toBe('abc');
    expect(presentedToken('Basic ' + Buffer.from('user:tok').toString('base64'), false)).toBeNull();
    expect(presentedToken('Basic ' + Buffer.from('user:tok').toString('base64'), true)).toBe('tok');
    expect(presentedToken('Bearer a b', false)).toBeNull();
    expect(presentedToken(undefined, true)).toBeNull();
  });
});

describe('failure limiter', () => {
  it('blocks an address after maxFailures within the window, until the window ends', () => {
    let now = 1_000_000;
    const l = new MemoryFailureLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.blockedFor('10.0.0.1')).toBe(0);
      l.fail('10.0.0.1');
    }
    expect(l.blockedFor('10.0.0.1')).toBe(60);
    expect(l.blockedFor('10.0.0.2')).toBe(0);
    now += 59_000;
    expect(l.blockedFor('10.0.0.1')).toBe(1);
    now += 1_000;
    expect(l.blockedFor('10.0.0.1')).toBe(0);
    l.fail('10.0.0.1');
    expect(l.blockedFor('10.0.0.1')).toBe(0);
  });
});
