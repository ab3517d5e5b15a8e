/**
 * Rules that match CloudTrail events by what they name (event source, event name or name prefix, read-only flag,
 * one request parameter), compiled into an index so that matching an event costs about the same whatever the
 * number of rules: the index narrows the candidates by event source and event name (exact names in a map, name
 * prefixes in a map per distinct prefix length), and only those candidates are checked in full. `matchLinear`
 * is the plain scan the index must agree with (a test compares them on randomized rules and events).
 */

/** The fields of an event that rules can look at. */
export interface EventFacts {
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean | null;
  readonly requestParameters: unknown;
}

export interface EventRule<T> {
  /** Event sources the rule applies to (exact, e.g. `kms.amazonaws.com`); at least one. */
  readonly sources: readonly string[];
  /**
   * Event names (exact) and name prefixes: the rule matches a name that is listed or starts with a listed prefix.
   * Neither given: every name of the sources (narrowed by the exceptions below).
   */
  readonly names?: readonly string[];
  readonly prefixes?: readonly string[];
  /** Names that never match, exactly or by prefix (e.g. read-style operations `Describe*`). */
  readonly exceptNames?: readonly string[];
  readonly exceptPrefixes?: readonly string[];
  /** Only events not marked read-only (`readOnly !== true`: an event without the flag still matches). */
  readonly notReadOnly?: boolean;
  /** A request parameter that must equal this value (strict equality on the top-level key). */
  readonly param?: { readonly key: string; readonly equals: string | number | boolean };
  /** What the rule stands for (a category, a control, ...): `match` returns these. */
  readonly value: T;
}

/** A rule with its lists turned into sets, so checking one candidate does not scan lists. */
interface CompiledRule<T> {
  readonly sources: ReadonlySet<string>;
  readonly names: ReadonlySet<string> | null;
  readonly prefixes: readonly string[] | null;
  readonly exceptNames: ReadonlySet<string> | null;
  readonly exceptPrefixes: readonly string[] | null;
  readonly notReadOnly: boolean;
  readonly param: EventRule<T>['param'] | null;
  readonly value: T;
}

function nonEmpty<V>(list: readonly V[] | undefined): readonly V[] | null {
  return list && list.length > 0 ? list : null;
}

function compileRule<T>(rule: EventRule<T>): CompiledRule<T> {
  if (rule.sources.length === 0) throw new Error('an event rule needs at least one event source');
  const names = nonEmpty(rule.names);
  const exceptNames = nonEmpty(rule.exceptNames);
  return {
    sources: new Set(rule.sources),
    names: names ? new Set(names) : null,
    prefixes: nonEmpty(rule.prefixes),
    exceptNames: exceptNames ? new Set(exceptNames) : null,
    exceptPrefixes: nonEmpty(rule.exceptPrefixes),
    notReadOnly: rule.notReadOnly === true,
    param: rule.param ?? null,
    value: rule.value,
  };
}

function startsWithAny(name: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (name.startsWith(p)) return true;
  return false;
}

/** The full predicate of one rule: what the linear scan checks for every rule and the index for its candidates. */
function ruleMatches<T>(r: CompiledRule<T>, ev: EventFacts): boolean {
  if (!r.sources.has(ev.eventSource)) return false;
  const name = ev.eventName;
  if (r.names || r.prefixes) {
    if (!(r.names?.has(name) ?? false) && !(r.prefixes !== null && startsWithAny(name, r.prefixes))) return false;
  }
  if (r.exceptNames?.has(name)) return false;
  if (r.exceptPrefixes && startsWithAny(name, r.exceptPrefixes)) return false;
  if (r.notReadOnly && ev.readOnly === true) return false;
  if (r.param) {
    const p = ev.requestParameters;
    if (p === null || typeof p !== 'object') return false;
    if (!Object.hasOwn(p, r.param.key) || (p as Record<string, unknown>)[r.param.key] !== r.param.equals) return false;
  }
  return true;
}

const NONE: readonly never[] = Object.freeze([]);

/** The reference: every rule checked in order. Returns the values of the matching rules, in rule order. */
export function matchLinear<T>(rules: readonly EventRule<T>[], ev: EventFacts): T[] {
  return matchCompiledLinear(rules.map(compileRule), ev);
}

function matchCompiledLinear<T>(rules: readonly CompiledRule<T>[], ev: EventFacts): T[] {
  const out: T[] = [];
  for (const r of rules) if (ruleMatches(r, ev)) out.push(r.value);
  return out;
}

/** Candidates of one event source, as rule ordinals in ascending order. */
interface SourceBucket {
  readonly exact: Map<string, number[]>;
  readonly prefix: Map<string, number[]>;
  /** Distinct prefix lengths, so a lookup tries each length once instead of each prefix. */
  prefixLengths: number[];
  readonly anyName: number[];
}

export class EventRuleIndex<T> {
  private readonly rules: readonly CompiledRule<T>[];
  private readonly bySource = new Map<string, SourceBucket>();

  constructor(rules: readonly EventRule<T>[]) {
    this.rules = rules.map(compileRule);
    this.rules.forEach((r, ordinal) => {
      for (const source of r.sources) {
        let b = this.bySource.get(source);
        if (!b) this.bySource.set(source, (b = { exact: new Map(), prefix: new Map(), prefixLengths: [], anyName: [] }));
        if (!r.names && !r.prefixes) b.anyName.push(ordinal);
        for (const n of r.names ?? []) push(b.exact, n, ordinal);
        for (const p of r.prefixes ?? []) push(b.prefix, p, ordinal);
      }
    });
    for (const b of this.bySource.values()) b.prefixLengths = [...new Set([...b.prefix.keys()].map((p) => p.length))].sort((x, y) => x - y);
  }

  get size(): number {
    return this.rules.length;
  }

  /** The values of the rules that match the event, in rule order (exactly what `matchLinear` returns). */
  match(ev: EventFacts): readonly T[] {
    const b = this.bySource.get(ev.eventSource);
    if (!b) return NONE;
    const name = ev.eventName;
    // Gather the candidate lists; most events hit at most one list, which is already in rule order.
    let first: readonly number[] | undefined = b.exact.get(name);
    let more: number[] | null = null;
    for (let i = 0; i <= b.prefixLengths.length; i++) {
      let list: readonly number[] | undefined;
      if (i < b.prefixLengths.length) {
        const len = b.prefixLengths[i]!;
        if (len > name.length) continue;
        list = b.prefix.get(name.length === len ? name : name.slice(0, len));
      } else list = b.anyName;
      if (!list || list.length === 0) continue;
      if (!first || first.length === 0) first = list;
      else (more ??= [...first]).push(...list);
    }
    if (!first || first.length === 0) return NONE;
    // A rule can sit in several lists (a name and a prefix both listed): dedupe, and restore rule order.
    const candidates: readonly number[] = more ? [...new Set(more)].sort((x, y) => x - y) : first;
    let out: T[] | null = null;
    for (const ordinal of candidates) {
      const r = this.rules[ordinal]!;
      if (ruleMatches(r, ev)) (out ??= []).push(r.value);
    }
    return out ?? NONE;
  }

  /** The same answer by scanning every rule: the reference the index is tested and benchmarked against. */
  matchLinear(ev: EventFacts): T[] {
    return matchCompiledLinear(this.rules, ev);
  }
}

function push(map: Map<string, number[]>, key: string, ordinal: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [ordinal]);
  else if (list[list.length - 1] !== ordinal) list.push(ordinal);
}
