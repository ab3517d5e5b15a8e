import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/load.js';
import type { Control, Framework } from '../../src/frameworks/schema.js';

/**
 * Cross-checks the catalogs against independent public mappings (Prowler, Steampipe) and AWS reference data.
 * All reference files live in test/fixtures/frameworks (see ATTRIBUTION.md there).
 */

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/frameworks');

function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, ...parts), 'utf8')) as T;
}

interface ProwlerFile {
  Framework: string;
  Requirements: { Id: string; Name?: string; Description: string; Checks: string[] }[];
}
interface SteampipeBenchmark {
  benchmark: string;
  title: string;
  description: string | null;
  itemId: string | null;
  children: string[];
}
interface SteampipeFile {
  frameworks: Record<string, SteampipeBenchmark[]>;
}
interface ManagedRules {
  identifiers: Record<string, string[]>;
}

type FrameworkId = 'soc2' | 'hipaa' | 'gdpr';

const PROWLER_FILE: Record<FrameworkId, string> = {
  soc2: 'soc2_aws.json',
  hipaa: 'hipaa_aws.json',
  gdpr: 'gdpr_aws.json',
};
const STEAMPIPE_FRAMEWORKS: Record<FrameworkId, string[]> = {
  soc2: ['soc_2'],
  hipaa: ['hipaa_final_omnibus_security_rule_2013', 'hipaa_security_rule_2003'],
  gdpr: ['gdpr'],
};

/**
 * Controls kept at `automation: none` although Prowler or Steampipe map AWS checks to them.
 * Each reason is also stated in the control's manual.request (the test checks it says "Kept manual").
 */
const NONE_DESPITE_MAPPING: Readonly<Record<string, string>> = {
  // Setting objectives is a management act; GuardDuty/Security Hub/Config being on does not show objectives were specified.
  'soc2 CC3.1': 'objective setting is not observable in AWS',
  // Only applies to clearinghouses; the mapped encryption/logging checks do not show organisational isolation.
  'hipaa 164.308(a)(4)(ii)(A)': 'clearinghouse isolation is an organisational fact',
  // Group health plan requirements are clauses in plan documents; Steampipe maps 26 generic checks to each.
  'hipaa 164.314(b)(1)': 'plan-document requirement',
  'hipaa 164.314(b)(2)(i)': 'plan-document clause',
  'hipaa 164.314(b)(2)(ii)': 'plan-document clause',
  'hipaa 164.314(b)(2)(iii)': 'plan-document clause',
  'hipaa 164.314(b)(2)(iv)': 'plan-document clause',
};

/**
 * Cross-references that the id conversion below does not derive, each with the reason it is right.
 */
const EXTRA_REFERENCES: Readonly<Record<string, string>> = {
  // Prowler's id cc_a_1_1 reads as A1.1 and its points of focus are A1.1's, but its Name says "A1.2"; both carry it.
  'soc2 A1.2 prowler cc_a_1_1': 'Prowler requirement is named A1.2',
};

const FRAMEWORKS: Record<FrameworkId, Framework> = {
  soc2: loadFramework('soc2').framework,
  hipaa: loadFramework('hipaa').framework,
  gdpr: loadFramework('gdpr').framework,
};
const PROWLER: Record<FrameworkId, ProwlerFile> = {
  soc2: readJson<ProwlerFile>('prowler', PROWLER_FILE.soc2),
  hipaa: readJson<ProwlerFile>('prowler', PROWLER_FILE.hipaa),
  gdpr: readJson<ProwlerFile>('prowler', PROWLER_FILE.gdpr),
};
const STEAMPIPE = readJson<SteampipeFile>('steampipe', 'framework_benchmarks.json');
const MANAGED_RULES = readJson<ManagedRules>('aws-config-rules', 'managed-rule-identifiers.json');

function steampipeBenchmarks(id: FrameworkId): SteampipeBenchmark[] {
  return STEAMPIPE_FRAMEWORKS[id].flatMap((name) => {
    const list = STEAMPIPE.frameworks[name];
    if (!list) throw new Error(`steampipe framework ${name} missing from fixture`);
    return list;
  });
}

/** Benchmarks that map checks directly (the leaves; parents only group other benchmarks). */
function steampipeLeaves(id: FrameworkId): SteampipeBenchmark[] {
  return steampipeBenchmarks(id).filter((b) => b.children.some((c) => c.startsWith('control.')));
}

/** Our control id for an upstream requirement id, derived from the id alone (not from our crossReferences). */
function toControlId(framework: FrameworkId, upstream: string): string | undefined {
  if (framework === 'soc2') {
    const m = /^(?:soc_2_)?(?:(cc|pi)_|(?:cc_)?([ac])_)(\d+)_(\d+)$/.exec(upstream);
    if (!m) return undefined;
    const group = (m[1] ?? m[2]!).toUpperCase();
    return group === 'CC' || group === 'PI' ? `${group}${m[3]}.${m[4]}` : `${group}${m[3]}.${m[4]}`;
  }
  if (framework === 'hipaa') {
    const m = /(?:^|_)(164)_(3\d\d)_((?:[a-z0-9]+_?)+)$/.exec(upstream);
    if (!m) return undefined;
    const parts = m[3]!.split('_');
    return `${m[1]}.${m[2]}${parts.map((p, i) => `(${i === 3 ? p.toUpperCase() : p})`).join('')}`;
  }
  const m = /^article_(\d+)$/.exec(upstream);
  return m ? `Art.${m[1]}` : undefined;
}

/** Our controls that an upstream id corresponds to: the control itself, its standard (a trailing (i)), or its children. */
function resolve(framework: FrameworkId, upstream: string): Control[] {
  const f = FRAMEWORKS[framework];
  const id = toControlId(framework, upstream);
  if (id === undefined) return [];
  const exact = f.controls.find((c) => c.id === id);
  if (exact) return [exact];
  const standard = id.endsWith('(i)') ? f.controls.find((c) => c.id === id.slice(0, -'(i)'.length)) : undefined;
  if (standard) return [standard];
  return f.controls.filter((c) => c.id.startsWith(`${id}(`));
}

function referencing(framework: FrameworkId, source: 'prowler' | 'steampipe', upstream: string): Control[] {
  return FRAMEWORKS[framework].controls.filter((c) => c.crossReferences?.[source]?.includes(upstream));
}

const IDS: FrameworkId[] = ['soc2', 'hipaa', 'gdpr'];

describe.each(IDS)('%s cross-references', (id) => {
  const f = FRAMEWORKS[id];
  const prowlerIds = new Set(PROWLER[id].Requirements.map((r) => r.Id));
  const steampipeIds = new Set(steampipeBenchmarks(id).map((b) => b.benchmark));

  it('names only Prowler requirements that exist', () => {
    const unknown = f.controls.flatMap((c) =>
      (c.crossReferences?.prowler ?? []).filter((r) => !prowlerIds.has(r)).map((r) => `${c.id} -> ${r}`),
    );
    expect(unknown).toEqual([]);
  });

  it('names only Steampipe benchmarks that exist', () => {
    const unknown = f.controls.flatMap((c) =>
      (c.crossReferences?.steampipe ?? []).filter((r) => !steampipeIds.has(r)).map((r) => `${c.id} -> ${r}`),
    );
    expect(unknown).toEqual([]);
  });

  it('references each Prowler requirement from the control its id denotes', () => {
    for (const r of PROWLER[id].Requirements) {
      const ours = resolve(id, r.Id);
      expect(ours.length, `Prowler ${r.Id} denotes no control`).toBeGreaterThan(0);
      for (const c of ours)
        expect(c.crossReferences?.prowler ?? [], `${c.id} should reference Prowler ${r.Id}`).toContain(r.Id);
    }
  });

  it('references each Steampipe leaf benchmark from the control its id denotes', () => {
    for (const b of steampipeLeaves(id)) {
      const ours = resolve(id, b.benchmark);
      expect(ours.length, `Steampipe ${b.benchmark} denotes no control`).toBeGreaterThan(0);
      for (const c of ours)
        expect(c.crossReferences?.steampipe ?? [], `${c.id} should reference Steampipe ${b.benchmark}`).toContain(
          b.benchmark,
        );
    }
  });

  it('has no cross-reference the id conversion does not explain, unless listed with a reason', () => {
    const unexplained: string[] = [];
    for (const c of f.controls) {
      for (const source of ['prowler', 'steampipe'] as const) {
        for (const ref of c.crossReferences?.[source] ?? []) {
          const derived = resolve(id, ref).some((o) => o.id === c.id);
          if (!derived && EXTRA_REFERENCES[`${id} ${c.id} ${source} ${ref}`] === undefined)
            unexplained.push(`${c.id} ${source} ${ref}`);
        }
      }
    }
    expect(unexplained).toEqual([]);
  });

  it('does not leave a control that Prowler maps to AWS checks at automation none without a listed reason', () => {
    const offending = PROWLER[id].Requirements.filter((r) => r.Checks.length > 0)
      .flatMap((r) => referencing(id, 'prowler', r.Id))
      .filter((c) => c.automation === 'none' && NONE_DESPITE_MAPPING[`${id} ${c.id}`] === undefined)
      .map((c) => c.id);
    expect([...new Set(offending)]).toEqual([]);
  });

  it('does not leave a control that Steampipe maps to AWS checks at automation none without a listed reason', () => {
    const offending = steampipeLeaves(id)
      .flatMap((b) => referencing(id, 'steampipe', b.benchmark))
      .filter((c) => c.automation === 'none' && NONE_DESPITE_MAPPING[`${id} ${c.id}`] === undefined)
      .map((c) => c.id);
    expect([...new Set(offending)]).toEqual([]);
  });
});

describe('allow-lists', () => {
  it('only name manual controls that explain themselves in manual.request', () => {
    for (const key of Object.keys(NONE_DESPITE_MAPPING)) {
      const [fw, controlId] = key.split(' ') as [FrameworkId, string];
      const c = FRAMEWORKS[fw].controls.find((x) => x.id === controlId);
      expect(c, key).toBeDefined();
      expect(c!.automation, key).toBe('none');
      expect(c!.manual?.request, key).toMatch(/Kept manual/);
      const mapped = [...(c!.crossReferences?.prowler ?? []), ...(c!.crossReferences?.steampipe ?? [])];
      expect(mapped.length, `${key} is not mapped upstream, so it needs no allow-list entry`).toBeGreaterThan(0);
    }
  });

  it('only list extra references that are present', () => {
    for (const key of Object.keys(EXTRA_REFERENCES)) {
      const [fw, controlId, source, ref] = key.split(' ') as [FrameworkId, string, 'prowler' | 'steampipe', string];
      const c = FRAMEWORKS[fw].controls.find((x) => x.id === controlId);
      expect(c?.crossReferences?.[source] ?? [], key).toContain(ref);
    }
  });
});

describe('AWS reference data', () => {
  const all = IDS.flatMap((id) => FRAMEWORKS[id].controls.map((c) => [id, c] as const));

  it('uses only AWS Config managed-rule identifiers that real conformance packs deploy', () => {
    const unknown: string[] = [];
    for (const [id, c] of all) {
      for (const e of c.evidence.filter((x) => x.rule === 'config_rules_compliant')) {
        for (const rule of (e.params as { rules: string[] }).rules) {
          expect(rule, `${id} ${c.id}`).toMatch(/^[A-Z0-9]+(_[A-Z0-9]+)*$/);
          if (MANAGED_RULES.identifiers[rule] === undefined) unknown.push(`${id} ${c.id} ${rule}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('uses resource_configuration paths that exist in the AWS Config resource schema, with matching value types', () => {
    const problems: string[] = [];
    for (const [id, c] of all) {
      for (const e of c.evidence.filter((x) => x.rule === 'resource_configuration')) {
        const p = e.params as { resourceType: string; path: string; equals?: string | number | boolean };
        const file = `${p.resourceType.replaceAll('::', '_')}.properties.json`;
        let properties: Record<string, string>;
        try {
          properties = readJson<Record<string, string>>('aws-config-resource-schema', file);
        } catch {
          problems.push(`${id} ${c.id}: no schema fixture ${file}`);
          continue;
        }
        const type = properties[p.path];
        if (type === undefined) problems.push(`${id} ${c.id}: ${p.resourceType} has no property ${p.path}`);
        else if (p.equals !== undefined) {
          const expected =
            typeof p.equals === 'boolean' ? 'boolean' : typeof p.equals === 'number' ? ['integer', 'float'] : 'string';
          if (![expected].flat().includes(type))
            problems.push(`${id} ${c.id}: ${p.path} is ${type}, compared with ${typeof p.equals}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('own words', () => {
  const words = (s: string): string[] => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  function ngrams(s: string, n: number): Set<string> {
    const w = words(s);
    const out = new Set<string>();
    for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
    return out;
  }

  // Prowler and Steampipe quote the AICPA criteria and the legal text; a long shared word run means copying.
  it.each(IDS)('%s titles and descriptions share no run of 8 words with upstream requirement texts', (id) => {
    const n = 8;
    const upstream = new Set<string>();
    for (const r of PROWLER[id].Requirements)
      for (const g of ngrams(`${r.Name ?? ''} . ${r.Description}`, n)) upstream.add(g);
    for (const b of steampipeBenchmarks(id))
      for (const g of ngrams(`${b.title} . ${b.description ?? ''}`, n)) upstream.add(g);
    const copied = FRAMEWORKS[id].controls.flatMap((c) =>
      [...ngrams(c.title, n), ...ngrams(c.description, n)].filter((g) => upstream.has(g)).map((g) => `${c.id}: "${g}"`),
    );
    expect(copied).toEqual([]);
  });
});
