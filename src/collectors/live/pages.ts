import type { LiveContext } from './types.js';

/**
 * Follows a token-paginated AWS operation to the end, one retried call per page, and keeps every page's request
 * id for provenance. `pageOf` maps the previous token to a call; `next` reads the next token from a page.
 */
export async function allPages<T>(
  ctx: LiveContext,
  operation: string,
  pageOf: (token: string | undefined, signal: AbortSignal) => Promise<T>,
  next: (page: T) => string | undefined,
  maxPages = 10_000,
): Promise<{ pages: T[]; calls: { operation: string; requestId: string | null }[] }> {
  const pages: T[] = [];
  const calls: { operation: string; requestId: string | null }[] = [];
  let token: string | undefined;
  do {
    const { output, requestId } = await ctx.call(operation, (signal) => pageOf(token, signal));
    pages.push(output);
    calls.push({ operation, requestId });
    const following = next(output);
    // A service that returns the same token again would loop forever.
    token = following && following !== token ? following : undefined;
  } while (token && pages.length < maxPages);
  return { pages, calls };
}

/** Strips SDK response metadata so raw payloads equal what the AWS CLI prints. */
export function withoutMetadata<T extends object>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = output as T & { $metadata?: unknown };
  return rest;
}
