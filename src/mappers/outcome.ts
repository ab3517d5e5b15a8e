import type { EvidenceItem } from '../evidence/model.js';
import type { RuleOutcome } from './types.js';

/**
 * Collects what a rule found. The final status follows one precedence, the same for every rule:
 * non-compliant evidence (exception) > missing, stale or failed evidence (gap) > not applicable > satisfied.
 * A rule that found nothing to say is a gap: unknown is never a pass.
 */
export class OutcomeBuilder {
  private readonly exceptions: string[] = [];
  private readonly gapReasons: string[] = [];
  private readonly notes: string[] = [];
  private readonly used = new Set<string>();
  private naReason: string | null = null;
  private satisfiedCount = 0;

  exception(reason: string, ...items: readonly { id: string }[]): this {
    this.exceptions.push(reason);
    this.use(...items);
    return this;
  }

  gap(reason: string, ...items: readonly { id: string }[]): this {
    this.gapReasons.push(reason);
    this.use(...items);
    return this;
  }

  ok(reason: string, ...items: readonly { id: string }[]): this {
    this.satisfiedCount += 1;
    this.notes.push(reason);
    this.use(...items);
    return this;
  }

  note(reason: string, ...items: readonly { id: string }[]): this {
    this.notes.push(reason);
    this.use(...items);
    return this;
  }

  notApplicable(reason: string, ...items: readonly { id: string }[]): this {
    this.naReason = reason;
    this.use(...items);
    return this;
  }

  /** Error items are gaps named by their own message (which names the input and the problem). */
  collectionErrors(items: readonly EvidenceItem[]): this {
    for (const e of items) {
      if (e.status.state === 'error') this.gap(`collection error ${e.status.code} (${e.account}/${e.region}): ${e.status.message}`, e);
    }
    return this;
  }

  use(...items: readonly { id: string }[]): this {
    for (const i of items) this.used.add(i.id);
    return this;
  }

  finish(): RuleOutcome {
    const evidenceIds = [...this.used].sort();
    if (this.exceptions.length > 0) return { status: 'exception', reasons: [...this.exceptions, ...this.gapReasons, ...this.notes], evidenceIds };
    if (this.gapReasons.length > 0) return { status: 'gap', reasons: [...this.gapReasons, ...this.notes], evidenceIds };
    if (this.satisfiedCount === 0 && this.naReason !== null) return { status: 'not_applicable', reasons: [this.naReason, ...this.notes], evidenceIds };
    if (this.satisfiedCount === 0) return { status: 'gap', reasons: ['no evidence was found for this expectation', ...this.notes], evidenceIds };
    return { status: 'satisfied', reasons: this.notes, evidenceIds };
  }
}

/** `a, b, c and 4 more` */
export function listSome(values: readonly string[], max = 5): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}

export function where(item: { account: string; region: string }): string {
  return `${item.account}/${item.region}`;
}
