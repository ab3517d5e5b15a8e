import type { Framework } from '../frameworks/schema.js';
import { CATEGORY_RULES, type EventCategory } from '../normalizers/cloudtrail/classify.js';
import { EventRuleIndex, type EventFacts, type EventRule } from '../normalizers/cloudtrail/event-rules.js';
import { RULE_KINDS } from './rule-kinds.js';

/** One control an event is evidence for, and the category that made it so. */
export interface ControlRef {
  readonly framework: string;
  readonly control: string;
  readonly category: EventCategory;
}

/**
 * Event rules generated from the framework data: every control that expects `no_sensitive_changes` for some
 * categories gets the event rules of those categories, with the control as the rule's value. The rule count
 * therefore grows with the frameworks loaded (and their controls), not with anything the evidence says.
 */
export function controlEventRules(frameworks: readonly Framework[]): EventRule<ControlRef>[] {
  const out: EventRule<ControlRef>[] = [];
  for (const f of frameworks) {
    for (const control of f.controls) {
      for (const e of control.evidence) {
        if (e.rule !== 'no_sensitive_changes') continue;
        const { categories } = RULE_KINDS.no_sensitive_changes.params.parse(e.params);
        for (const category of new Set(categories)) {
          for (const r of CATEGORY_RULES) if (r.value === category) out.push({ ...r, value: { framework: f.id, control: control.id, category } });
        }
      }
    }
  }
  return out;
}

/**
 * Maps CloudTrail events onto the controls they are evidence for, through a compiled index of the frameworks'
 * event rules: the cost per event depends on the rules that name the event's source and name, not on how many
 * rules there are.
 */
export class ControlEventMapper {
  private readonly index: EventRuleIndex<ControlRef>;

  constructor(rules: readonly EventRule<ControlRef>[]) {
    this.index = new EventRuleIndex(rules);
  }

  static forFrameworks(frameworks: readonly Framework[]): ControlEventMapper {
    return new ControlEventMapper(controlEventRules(frameworks));
  }

  get ruleCount(): number {
    return this.index.size;
  }

  /** The controls this event is evidence for, in rule order (framework, control, category order of the rules). */
  controlsFor(ev: EventFacts): readonly ControlRef[] {
    return this.index.match(ev);
  }
}
