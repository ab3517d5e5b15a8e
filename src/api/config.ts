/**
 * The `api:` section of auditpack.yaml (zod only, so the main schema can include it without an import cycle).
 * Tokens are stored hashed, never in plaintext: `sha256:<64 hex>` or `scrypt:<N>:<r>:<p>:<salt b64>:<hash b64>`
 * (`auditpack serve --hash-token` reads a token on stdin and prints its hash).
 */
import { z } from 'zod';

export const ROLES = ['officer', 'auditor', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_HASH =
  /^(sha256:[a-f0-9]{64}|scrypt:\d{1,7}:\d{1,3}:\d{1,3}:[A-Za-z0-9+/]{16,}={0,2}:[A-Za-z0-9+/]{32,}={0,2})$/;

const Token = z
  .strictObject({
    /** Who holds it (appears in logs and in `trigger.name`; the token never does). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'letters, digits, . _ @ - (at most 64)'),
    role: z.enum(ROLES),
    hash: z
      .string()
      .regex(
        TOKEN_HASH,
        'a hashed token: sha256:<64 hex> or scrypt:N:r:p:salt:hash (auditpack serve --hash-token); never the token itself',
      ),
    /** Auditors: the run ids they may download; a trailing * matches a prefix (e.g. monthly-soc2-*). */
    packs: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\*?$/, 'a run id, optionally ending in *'))
      .default([]),
  })
  .refine((t) => t.role === 'auditor' || t.packs.length === 0, {
    message: 'only auditor tokens list packs',
    path: ['packs'],
  });
export type TokenEntry = z.infer<typeof Token>;

export const ApiSection = z.strictObject({
  listen: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8080) })
    .default({ host: '127.0.0.1', port: 8080 }),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (needed for per-IP rate limits). */
  trustProxy: z.boolean().default(false),
  tokens: z.array(Token).default([]),
  /** Failed authentications per client address before it gets 429 for the rest of the window. */
  rateLimit: z
    .strictObject({
      maxFailures: z.number().int().min(1).max(10_000).default(10),
      windowSeconds: z.number().int().min(1).max(86_400).default(300),
    })
    .default({ maxFailures: 10, windowSeconds: 300 }),
  /** Export directories a trigger may name (name → directory relative to this file); requests never carry paths. */
  sources: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), z.string().min(1)).default({}),
  /** Where packs triggered over HTTP are written (one directory per run); default: output.dir. */
  outDir: z.string().optional(),
  /** The queue dashboard at /admin/queues (officer and operator tokens); read-only unless set false. */
  dashboard: z
    .strictObject({ enabled: z.boolean().default(true), readOnly: z.boolean().default(true) })
    .default({ enabled: true, readOnly: true }),
});
export type ApiSettings = z.infer<typeof ApiSection>;
