import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { z } from 'zod';
import { EVIDENCE_KINDS } from '../../src/evidence/kinds.js';
import {
  FRAMEWORKS_DIR,
  FrameworkError,
  listFrameworkIds,
  loadFramework,
  parseFramework,
} from '../../src/frameworks/load.js';
import type { Control, Framework } from '../../src/frameworks/schema.js';
import { RULE_KINDS, RULE_KIND_IDS, isRuleKind } from '../../src/mappers/rule-kinds.js';

const IDS = listFrameworkIds();
const FRAMEWORKS: ReadonlyMap<string, Framework> = new Map(IDS.map((id) => [id, loadFramework(id).framework]));

function framework(id: string): Framework {
  const f = FRAMEWORKS.get(id);
  if (!f) throw new Error(`framework ${id} not found in ${FRAMEWORKS_DIR}`);
  return f;
}

function byId(f: Framework): Map<string, Control> {
  return new Map(f.controls.map((c) => [c.id, c]));
}

describe('framework directory', () => {
  it('contains the three catalogs', () => {
    expect(IDS).toEqual(expect.arrayContaining(['gdpr', 'hipaa', 'soc2']));
  });
});

describe.each(IDS)('framework %s', (id) => {
  const f = framework(id);

  it('loads through loadFramework and its id matches the file name', () => {
    const loaded = loadFramework(id);
    expect(loaded.framework.id).toBe(id);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says that its texts are paraphrases', () => {
    expect(f.notice).toMatch(/own .*paraphrase/i);
  });

  it('has unique control ids and unique section ids', () => {
    const ids = f.controls.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sections = f.sections.map((s) => s.id);
    expect(new Set(sections).size).toBe(sections.length);
  });

  it('references only defined sections, and every section has controls', () => {
    const sections = new Set(f.sections.map((s) => s.id));
    for (const c of f.controls) expect(sections, `control ${c.id}`).toContain(c.section);
    for (const s of sections)
      expect(
        f.controls.some((c) => c.section === s),
        `section ${s} is empty`,
      ).toBe(true);
  });

  it('has parents that exist, share the section, and are not themselves children', () => {
    const controls = byId(f);
    for (const c of f.controls) {
      if (c.parent === undefined) continue;
      const parent = controls.get(c.parent);
      expect(parent, `parent of ${c.id}`).toBeDefined();
      expect(parent!.parent, `parent ${c.parent} of ${c.id} is itself a child`).toBeUndefined();
      expect(parent!.section).toBe(c.section);
    }
  });

  it('references only known rule kinds, with params that validate', () => {
    for (const c of f.controls) {
      for (const e of c.evidence) {
        expect(isRuleKind(e.rule), `control ${c.id}: rule ${e.rule}`).toBe(true);
        if (!isRuleKind(e.rule)) continue;
        const parsed = (RULE_KINDS[e.rule].params as z.ZodType).safeParse(e.params);
        expect(parsed.success, `control ${c.id} ${e.rule}: ${parsed.error?.message ?? ''}`).toBe(true);
      }
    }
  });

  it('gives every evidence expectation a one-line rationale', () => {
    for (const c of f.controls) {
      for (const e of c.evidence) {
        expect(e.rationale, `control ${c.id} ${e.rule}`).toBeDefined();
        expect(e.rationale!).not.toMatch(/\n/);
        expect(e.rationale!.length, `control ${c.id} ${e.rule}`).toBeLessThanOrEqual(200);
      }
    }
  });

  it('asks for manual evidence exactly when automation is not full', () => {
    for (const c of f.controls) {
      if (c.automation === 'full') expect(c.manual, `control ${c.id}`).toBeUndefined();
      else expect(c.manual?.request.length ?? 0, `control ${c.id}`).toBeGreaterThanOrEqual(40);
      if (c.automation === 'none') expect(c.evidence, `control ${c.id}`).toEqual([]);
      else expect(c.evidence.length, `control ${c.id}`).toBeGreaterThan(0);
    }
  });

  // Long texts are the usual sign of criteria or legal text pasted in instead of paraphrased.
  it('keeps titles, descriptions and requests short', () => {
    for (const c of f.controls) {
      expect(c.title.length, `title of ${c.id}`).toBeLessThanOrEqual(100);
      expect(c.description.length, `description of ${c.id}`).toBeLessThanOrEqual(400);
      expect(c.manual?.request.length ?? 0, `manual.request of ${c.id}`).toBeLessThanOrEqual(500);
    }
  });

  it('does not list the same rule with identical params twice in one control', () => {
    for (const c of f.controls) {
      const keys = c.evidence.map((e) => `${e.rule} ${JSON.stringify(e.params)}`);
      expect(new Set(keys).size, `control ${c.id}`).toBe(keys.length);
    }
  });
});

describe('across all frameworks', () => {
  const evidence = [...FRAMEWORKS.values()].flatMap((f) => f.controls.flatMap((c) => c.evidence));

  it('uses every rule kind at least once', () => {
    const used = new Set(evidence.map((e) => e.rule));
    expect(RULE_KIND_IDS.filter((r) => !used.has(r))).toEqual([]);
  });

  it('consumes every evidence kind through some control', () => {
    const consumed = new Set(
      evidence.filter((e) => isRuleKind(e.rule)).flatMap((e) => RULE_KINDS[e.rule as keyof typeof RULE_KINDS].consumes),
    );
    expect(EVIDENCE_KINDS.filter((k) => !consumed.has(k))).toEqual([]);
  });
});

describe('SOC 2 catalog', () => {
  const f = framework('soc2');
  const range = (prefix: string, from: number, to: number): string[] =>
    Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
  const EXPECTED = [
    ...range('CC1.', 1, 5),
    ...range('CC2.', 1, 3),
    ...range('CC3.', 1, 4),
    ...range('CC4.', 1, 2),
    ...range('CC5.', 1, 3),
    ...range('CC6.', 1, 8),
    ...range('CC7.', 1, 5),
    'CC8.1',
    ...range('CC9.', 1, 2),
    ...range('A1.', 1, 3),
    ...range('C1.', 1, 2),
    ...range('PI1.', 1, 5),
    'P1.1',
    'P2.1',
    ...range('P3.', 1, 2),
    ...range('P4.', 1, 3),
    ...range('P5.', 1, 2),
    ...range('P6.', 1, 7),
    'P7.1',
    'P8.1',
  ];

  it('contains exactly the 61 criteria of the 2017 TSC', () => {
    expect(EXPECTED).toHaveLength(61);
    expect([...f.controls.map((c) => c.id)].sort()).toEqual([...EXPECTED].sort());
  });

  it('groups criteria by criteria group', () => {
    expect(f.sections.map((s) => s.id)).toEqual([
      'CC1',
      'CC2',
      'CC3',
      'CC4',
      'CC5',
      'CC6',
      'CC7',
      'CC8',
      'CC9',
      'A1',
      'C1',
      'PI1',
      'P1',
      'P2',
      'P3',
      'P4',
      'P5',
      'P6',
      'P7',
      'P8',
    ]);
    for (const c of f.controls) expect(c.section, c.id).toBe(c.id.split('.')[0]);
  });

  it('has no parents or HIPAA requirement designations', () => {
    for (const c of f.controls) {
      expect(c.parent, c.id).toBeUndefined();
      expect(c.requirement, c.id).toBeUndefined();
    }
  });
});

describe('HIPAA Security Rule catalog', () => {
  const f = framework('hipaa');
  type Row = readonly [id: string, parent: string | null, requirement: 'required' | 'addressable' | null];
  // Standards that have implementation specifications carry no designation; a standard without
  // specifications is its own specification and is required (45 CFR 164.306(d)).
  const R = 'required';
  const A = 'addressable';
  const EXPECTED: readonly Row[] = [
    ['164.308(a)(1)', null, null],
    ['164.308(a)(1)(ii)(A)', '164.308(a)(1)', R],
    ['164.308(a)(1)(ii)(B)', '164.308(a)(1)', R],
    ['164.308(a)(1)(ii)(C)', '164.308(a)(1)', R],
    ['164.308(a)(1)(ii)(D)', '164.308(a)(1)', R],
    ['164.308(a)(2)', null, R],
    ['164.308(a)(3)', null, null],
    ['164.308(a)(3)(ii)(A)', '164.308(a)(3)', A],
    ['164.308(a)(3)(ii)(B)', '164.308(a)(3)', A],
    ['164.308(a)(3)(ii)(C)', '164.308(a)(3)', A],
    ['164.308(a)(4)', null, null],
    ['164.308(a)(4)(ii)(A)', '164.308(a)(4)', R],
    ['164.308(a)(4)(ii)(B)', '164.308(a)(4)', A],
    ['164.308(a)(4)(ii)(C)', '164.308(a)(4)', A],
    ['164.308(a)(5)', null, null],
    ['164.308(a)(5)(ii)(A)', '164.308(a)(5)', A],
    ['164.308(a)(5)(ii)(B)', '164.308(a)(5)', A],
    ['164.308(a)(5)(ii)(C)', '164.308(a)(5)', A],
    ['164.308(a)(5)(ii)(D)', '164.308(a)(5)', A],
    ['164.308(a)(6)', null, null],
    ['164.308(a)(6)(ii)', '164.308(a)(6)', R],
    ['164.308(a)(7)', null, null],
    ['164.308(a)(7)(ii)(A)', '164.308(a)(7)', R],
    ['164.308(a)(7)(ii)(B)', '164.308(a)(7)', R],
    ['164.308(a)(7)(ii)(C)', '164.308(a)(7)', R],
    ['164.308(a)(7)(ii)(D)', '164.308(a)(7)', A],
    ['164.308(a)(7)(ii)(E)', '164.308(a)(7)', A],
    ['164.308(a)(8)', null, R],
    ['164.308(b)(1)', null, null],
    ['164.308(b)(3)', '164.308(b)(1)', R],
    ['164.310(a)(1)', null, null],
    ['164.310(a)(2)(i)', '164.310(a)(1)', A],
    ['164.310(a)(2)(ii)', '164.310(a)(1)', A],
    ['164.310(a)(2)(iii)', '164.310(a)(1)', A],
    ['164.310(a)(2)(iv)', '164.310(a)(1)', A],
    ['164.310(b)', null, R],
    ['164.310(c)', null, R],
    ['164.310(d)(1)', null, null],
    ['164.310(d)(2)(i)', '164.310(d)(1)', R],
    ['164.310(d)(2)(ii)', '164.310(d)(1)', R],
    ['164.310(d)(2)(iii)', '164.310(d)(1)', A],
    ['164.310(d)(2)(iv)', '164.310(d)(1)', A],
    ['164.312(a)(1)', null, null],
    ['164.312(a)(2)(i)', '164.312(a)(1)', R],
    ['164.312(a)(2)(ii)', '164.312(a)(1)', R],
    ['164.312(a)(2)(iii)', '164.312(a)(1)', A],
    ['164.312(a)(2)(iv)', '164.312(a)(1)', A],
    ['164.312(b)', null, R],
    ['164.312(c)(1)', null, null],
    ['164.312(c)(2)', '164.312(c)(1)', A],
    ['164.312(d)', null, R],
    ['164.312(e)(1)', null, null],
    ['164.312(e)(2)(i)', '164.312(e)(1)', A],
    ['164.312(e)(2)(ii)', '164.312(e)(1)', A],
    ['164.314(a)(1)', null, null],
    ['164.314(a)(2)(i)', '164.314(a)(1)', R],
    ['164.314(a)(2)(ii)', '164.314(a)(1)', R],
    ['164.314(a)(2)(iii)', '164.314(a)(1)', R],
    ['164.314(b)(1)', null, null],
    ['164.314(b)(2)(i)', '164.314(b)(1)', R],
    ['164.314(b)(2)(ii)', '164.314(b)(1)', R],
    ['164.314(b)(2)(iii)', '164.314(b)(1)', R],
    ['164.314(b)(2)(iv)', '164.314(b)(1)', R],
    ['164.316(a)', null, R],
    ['164.316(b)(1)', null, null],
    ['164.316(b)(2)(i)', '164.316(b)(1)', R],
    ['164.316(b)(2)(ii)', '164.316(b)(1)', R],
    ['164.316(b)(2)(iii)', '164.316(b)(1)', R],
  ];

  it('contains every standard and implementation specification of 164.308-164.316', () => {
    expect(f.controls.map((c) => c.id).sort()).toEqual(EXPECTED.map(([id]) => id).sort());
  });

  it('links each implementation specification to its standard with the right designation', () => {
    const controls = byId(f);
    for (const [id, parent, requirement] of EXPECTED) {
      const c = controls.get(id)!;
      expect(c.parent ?? null, `parent of ${id}`).toBe(parent);
      expect(c.requirement ?? null, `requirement of ${id}`).toBe(requirement);
    }
  });

  it('puts every implementation specification under a standard that has no designation of its own', () => {
    const controls = byId(f);
    for (const c of f.controls) {
      const hasChildren = f.controls.some((o) => o.parent === c.id);
      if (c.parent !== undefined) expect(c.requirement, `${c.id} is a specification`).toBeDefined();
      else if (hasChildren) expect(c.requirement, `${c.id} is a standard with specifications`).toBeUndefined();
      else expect(c.requirement, `${c.id} is a standard without specifications`).toBe('required');
      if (c.parent !== undefined) expect(controls.get(c.parent)!.requirement).toBeUndefined();
    }
  });

  it('groups controls by section of the rule', () => {
    expect(f.sections.map((s) => s.id)).toEqual(['164.308', '164.310', '164.312', '164.314', '164.316']);
    for (const c of f.controls) expect(c.id.startsWith(`${c.section}(`), c.id).toBe(true);
  });
});

describe('GDPR catalog', () => {
  const f = framework('gdpr');
  const articles = (from: number, to: number): string[] =>
    Array.from({ length: to - from + 1 }, (_, i) => `Art.${from + i}`);
  const REQUIRED = [...articles(5, 22), ...articles(24, 39), ...articles(44, 49)];
  const CHAPTERS: readonly (readonly [string, number, number])[] = [
    ['II', 5, 11],
    ['III', 12, 23],
    ['IV', 24, 43],
    ['V', 44, 50],
    ['IX', 85, 91],
  ];

  it('contains every article that places obligations on controllers or processors', () => {
    const ids = new Set(f.controls.map((c) => c.id));
    expect(REQUIRED.filter((a) => !ids.has(a))).toEqual([]);
  });

  it('splits Art. 5 into its principles under the article, and uses one id scheme', () => {
    const principles = [
      'Art.5(1)(a)',
      'Art.5(1)(b)',
      'Art.5(1)(c)',
      'Art.5(1)(d)',
      'Art.5(1)(e)',
      'Art.5(1)(f)',
      'Art.5(2)',
    ];
    const controls = byId(f);
    for (const p of principles) expect(controls.get(p)?.parent, p).toBe('Art.5');
    for (const c of f.controls) {
      expect(c.id).toMatch(/^Art\.\d+(\(\d+\)(\([a-z]\))?)?$/);
      const article = c.id.replace(/\(.*$/, '');
      if (article !== c.id) expect(c.parent, c.id).toBe(article);
      else expect(c.parent, c.id).toBeUndefined();
      expect(c.requirement, c.id).toBeUndefined();
    }
  });

  it('puts every article in its chapter', () => {
    for (const c of f.controls) {
      const n = Number(/^Art\.(\d+)/.exec(c.id)![1]);
      const chapter = CHAPTERS.find(([, from, to]) => n >= from && n <= to);
      expect(chapter, c.id).toBeDefined();
      expect(c.section, c.id).toBe(chapter![0]);
    }
  });
});

describe('parseFramework rejects broken catalogs', () => {
  const file = path.join(FRAMEWORKS_DIR, 'soc2.yaml');
  const original = readFileSync(file, 'utf8');

  type Doc = { sections: { id: string }[]; controls: Record<string, unknown>[] };
  function broken(mutate: (doc: Doc) => void): Buffer {
    const doc = parseYaml(original) as Doc;
    mutate(doc);
    return Buffer.from(stringifyYaml(doc));
  }
  function control(doc: Doc, id: string): Record<string, unknown> {
    const c = doc.controls.find((x) => x.id === id);
    if (!c) throw new Error(`no control ${id} in fixture`);
    return c;
  }
  function problems(bytes: Buffer): string {
    try {
      parseFramework(bytes, 'broken-soc2.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(FrameworkError);
      return (err as FrameworkError).message;
    }
    throw new Error('expected parseFramework to reject the file');
  }

  it('accepts the unmodified round-tripped copy', () => {
    expect(() =>
      parseFramework(
        broken(() => undefined),
        'soc2-copy.yaml',
      ),
    ).not.toThrow();
  });

  it('names an unknown rule kind', () => {
    const msg = problems(
      broken((d) => ((control(d, 'CC7.2').evidence as { rule: string }[])[0]!.rule = 'cloudtrail_magic')),
    );
    expect(msg).toMatch(/control CC7\.2 evidence\[0\]: unknown rule kind "cloudtrail_magic"/);
  });

  it('names a duplicate control id', () => {
    const msg = problems(broken((d) => d.controls.push({ ...control(d, 'CC6.1') })));
    expect(msg).toMatch(/control CC6\.1 is defined twice/);
  });

  it('names a parent that does not exist', () => {
    const msg = problems(broken((d) => (control(d, 'CC6.2').parent = 'CC6.99')));
    expect(msg).toMatch(/control CC6\.2: parent "CC6\.99" is not a control/);
  });

  it('names params that do not match the rule kind', () => {
    const msg = problems(
      broken((d) => {
        const e = (control(d, 'CC7.2').evidence as { rule: string; params: unknown }[]).find(
          (x) => x.rule === 'no_sensitive_changes',
        )!;
        e.params = { categories: ['coffee_change'] };
      }),
    );
    expect(msg).toMatch(/control CC7\.2 evidence\[\d+\] params: categories\.0:/);
  });

  it('names an undefined section', () => {
    const msg = problems(broken((d) => (control(d, 'CC8.1').section = 'CC10')));
    expect(msg).toMatch(/control CC8\.1: section "CC10" is not defined/);
  });

  it('names a partial control without a manual request', () => {
    const msg = problems(broken((d) => delete control(d, 'CC6.6').manual));
    expect(msg).toMatch(/control CC6\.6: automation "partial" needs a manual\.request/);
  });

  it('names a manual-only control that lists evidence', () => {
    const msg = problems(broken((d) => (control(d, 'CC1.1').evidence = [{ rule: 'config_recorder_on', params: {} }])));
    expect(msg).toMatch(/control CC1\.1: automation "none" cannot list evidence/);
  });
});
