import { classifyAwsError, CollectionFailure } from './errors.js';

export interface RetryPolicy {
  /** Our ceiling over the SDK's own retries: rounds of SDK attempts before giving up. */
  readonly rounds: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { rounds: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Calls `fn`, retrying throttling, 5xx and network failures with capped exponential backoff and full jitter;
 * anything else (AccessDenied, validation) fails at once. Throws `CollectionFailure` naming the operation.
 */
export async function withRetry<T>(
  operation: string,
  fn: () => Promise<T>,
  opts: { policy?: RetryPolicy; signal?: AbortSignal; sleep?: (ms: number, signal?: AbortSignal) => Promise<void>; random?: () => number } = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  for (let round = 1; ; round++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      const classified = classifyAwsError(err);
      if (!classified.retryable || round >= policy.rounds) throw new CollectionFailure(operation, classified, { cause: err });
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (round - 1));
      await sleep(Math.floor(random() * cap), opts.signal);
    }
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
