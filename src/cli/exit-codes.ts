/** Exit codes of every auditpack command, documented in `auditpack --help`. */
export const EXIT = {
  ok: 0,
  /** The work ran, but something failed along the way (a collection error, a failing gate). */
  findings: 1,
  /** Bad input: flags, config, period, framework id. Nothing was changed. */
  usage: 2,
  /** An unexpected failure (a bug, or the store is unusable). */
  internal: 3,
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
