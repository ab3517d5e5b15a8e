/**
 * Brute-force protection: failed authentications per client address in a fixed window. Once an address reaches
 * the limit, every request from it that carries credentials gets 429 until the window ends (also with a valid
 * token, so the limit cannot be used as an oracle). In memory: each API instance counts its own clients.
 */
export interface FailureLimiter {
  /** Seconds until the address may try again; 0 when it may now. */
  blockedFor(key: string): number;
  fail(key: string): void;
}

export class MemoryFailureLimiter implements FailureLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  blockedFor(key: string): number {
    const w = this.windows.get(key);
    const now = this.now();
    if (!w || now >= w.resetAt) return 0;
    return w.count >= this.maxFailures ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (now >= w.resetAt) this.windows.delete(k);
    const w = this.windows.get(key);
    if (!w || now >= w.resetAt) this.windows.set(key, { count: 1, resetAt: now + this.windowMs });
    else w.count += 1;
  }
}
