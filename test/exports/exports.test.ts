import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize, type BundledEvidence } from '../../src/bundle/layout.js';
import { ocsfFindings } from '../../src/exports/ocsf.js';
import { oscalAssessmentResults, oscalToken } from '../../src/exports/oscal.js';
import { uuidV5 } from '../../src/exports/uuid.js';
import { makePack, type Pack } from '../fixtures/bundle/pack.js';
import { tempDir } from '../bundle/helpers.js';

const FIXTURES = path.resolve('test/fixtures/bundle/oscal');
const tmp = tempDir('auditpack-exports-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ajv-formats is CJS (module.exports = plugin, plus .default); take the plugin whichever way the loader exposes it.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const formatsModule = ajvFormats as unknown as { default: FormatsPlugin | { default: FormatsPlugin } };
const addFormats: FormatsPlugin = typeof formatsModule.default === 'function' ? formatsModule.default : formatsModule.default.default;

function oscalValidator() {
  const ajv = new Ajv({ strict: true, allErrors: true, unicodeRegExp: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(FIXTURES, 'oscal_assessment-results_schema.json'), 'utf8')) as object);
}

let pack: Pack;
let evidence: Map<string, BundledEvidence>;
beforeAll(async () => {
  pack = await makePack(tmp);
  evidence = new Map();
  for (const id of pack.assessment.evidence.ids) evidence.set(id, summarize((await pack.store.getItem(id))!));
});

describe('OSCAL assessment results', () => {
  it('the NIST example validates against the NIST 1.1.2 schema (positive control), and a broken copy does not', () => {
    const validate = oscalValidator();
    const example = JSON.parse(readFileSync(path.join(FIXTURES, 'ifa_assessment-results-example.json'), 'utf8')) as { 'assessment-results': Record<string, unknown> };
    expect(validate(example), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    delete example['assessment-results']['import-ap'];
    expect(validate(example)).toBe(false);
  });

  it('ours validates against the NIST schema; only satisfied is satisfied; every observation points into the bundle', () => {
    const validate = oscalValidator();
    const doc = oscalAssessmentResults(pack.assessment, evidence) as {
      'assessment-results': {
        results: { findings: { target: { status: { state: string } }; props: { name: string; value: string }[]; 'related-observations'?: { 'observation-uuid': string }[] }[]; observations: { uuid: string; 'relevant-evidence': { href: string }[] }[] }[];
      };
    };
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);
    const results = doc['assessment-results'].results;
    expect(results).toHaveLength(3);
    for (const r of results) {
      const obs = new Set(r.observations.map((o) => o.uuid));
      for (const f of r.findings) {
        const status = f.props.find((p) => p.name === 'auditpack-status')!.value;
        expect(f.target.status.state).toBe(status === 'satisfied' ? 'satisfied' : 'not-satisfied');
        for (const rel of f['related-observations'] ?? []) expect(obs.has(rel['observation-uuid'])).toBe(true);
      }
      const paths = new Set([...evidence.values()].flatMap((e) => [e.path, e.rawPath]));
      for (const o of r.observations) for (const ev of o['relevant-evidence']) expect(paths.has(ev.href)).toBe(true);
    }
    // Deterministic: same input, same document.
    expect(JSON.stringify(oscalAssessmentResults(pack.assessment, evidence))).toBe(JSON.stringify(doc));
  });

  it('tokens and UUIDs have the shapes OSCAL requires', () => {
    expect(oscalToken('hipaa-164.312(a)(1)')).toBe('hipaa-164.312_a_1');
    expect(oscalToken('1.2')).toBe('_1.2');
    expect(uuidV5('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // RFC 4122 appendix test vector: uuid5(DNS namespace, "python.org").
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
});

describe('OCSF compliance findings', () => {
  it('one OCSF 1.1 Compliance Finding per control result, with the required attributes and a conservative status map', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form OCSF events, checked field by field
    const findings = ocsfFindings(pack.assessment, evidence) as unknown as Record<string, any>[];
    const total = pack.assessment.frameworks.reduce((n, f) => n + f.results.length, 0);
    expect(findings).toHaveLength(total);
    const uids = new Set<string>();
    for (const f of findings) {
      expect(f).toMatchObject({ class_uid: 2003, category_uid: 2, activity_id: 1, type_uid: 200301, metadata: { version: '1.1.0', product: { name: 'auditpack' } } });
      expect(Number.isInteger(f['time'])).toBe(true);
      expect([1, 2, 3, 4, 5, 6, 99]).toContain(f['severity_id']);
      expect(f['finding_info'].uid).toBeTruthy();
      expect(f['finding_info'].title).toBeTruthy();
      expect(f['compliance'].standards.length).toBeGreaterThan(0);
      uids.add(f['finding_info'].uid as string);
      const status = f['compliance'].status_code as string;
      const expected = { satisfied: 1, exception: 3, gap: 2, manual: 99, not_applicable: 99 }[status];
      expect(f['compliance'].status_id).toBe(expected);
      for (const e of f['unmapped'].auditpack.evidence as { file: string }[]) expect(e.file).toMatch(/^evidence\//);
    }
    expect(uids.size).toBe(total);
    expect(findings.some((f) => f['compliance'].status_code === 'gap')).toBe(true);
  });
});
