import type { AssessmentResult, FrameworkAssessment } from '../pipeline/assess-stage.js';
import type { BundledEvidence } from '../bundle/layout.js';
import type { ControlResult, ControlStatus } from '../mappers/types.js';
import { uuidV5 } from './uuid.js';

/**
 * OSCAL 1.1.2 assessment results (validated in tests against NIST's JSON schema). One `result` per framework:
 * reviewed-controls lists every control of the catalog, one observation per evidence item the framework's
 * results cite (relevant-evidence points at the file in the bundle), one finding per control result.
 * Only `satisfied` is "satisfied"; everything else is "not-satisfied" with the auditpack status as a property,
 * so a consumer that reads only the state never mistakes a gap or a manual control for a pass.
 */

export const OSCAL_VERSION = '1.1.2';
export const AUDITPACK_NS = 'https://auditpack.dev/ns/oscal';

const REASON: Record<ControlStatus, 'pass' | 'fail' | 'other'> = {
  satisfied: 'pass',
  exception: 'fail',
  gap: 'other',
  manual: 'other',
  not_applicable: 'other',
};

/** An OSCAL token (NCName): letters, digits, `.`, `-`, `_`, starting with a letter or `_`. */
export function oscalToken(s: string): string {
  const t = s.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/_+$/, '');
  return /^[\p{L}_]/u.test(t) ? t : `_${t}`;
}

/** OSCAL StringDatatype: non-empty, no leading or trailing whitespace. */
function str(s: string, fallback = '-'): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length ? t : fallback;
}

function prop(name: string, value: string): { name: string; ns: string; value: string } {
  return { name, ns: AUDITPACK_NS, value: str(value) };
}

function controlToken(f: FrameworkAssessment, r: ControlResult): string {
  return oscalToken(`${f.id}-${r.control}`);
}

interface ResultParts {
  readonly head: Record<string, unknown>;
  observations(): Generator<unknown>;
  findings(): Generator<unknown>;
}

function resultParts(a: AssessmentResult, f: FrameworkAssessment, evidence: ReadonlyMap<string, BundledEvidence>): ResultParts {
  const obsUuid = (id: string): string => uuidV5(`${a.packId}/${f.id}/observation/${id}`);
  return {
    head: {
      uuid: uuidV5(`${a.packId}/${f.id}/result`),
      title: `${f.name} (${f.version}): ${a.organisation}, ${a.period.label}`,
      description: `Automated assessment by ${a.generator.name} ${a.generator.version} of ${f.results.length} controls against AWS evidence observed in ${a.period.label}, assessed at ${a.assessedAt}.`,
      start: a.period.start,
      end: a.period.end,
      props: [prop('pack-id', a.packId), prop('framework-id', f.id), prop('framework-sha256', f.sha256)],
      'reviewed-controls': {
        'control-selections': [{ 'include-controls': f.results.map((r) => ({ 'control-id': controlToken(f, r) })) }],
      },
    },
    *observations() {
      const cited = [...new Set(f.results.flatMap((r) => r.evidenceIds))].sort();
      for (const id of cited) {
        const e = evidence.get(id);
        if (!e) continue;
        yield {
          uuid: obsUuid(id),
          title: `${e.kind}${e.resource ? ` ${e.resource}` : ''}`,
          description: `Evidence item ${e.id} (${e.kind}) from AWS account ${e.account}, ${e.region}, observed ${e.observedStart}${e.observedEnd !== e.observedStart ? ` to ${e.observedEnd}` : ''}; collection status ${e.status}${e.statusDetail ? ` (${e.statusDetail})` : ''}.`,
          props: [prop('evidence-id', e.id), prop('evidence-kind', e.kind), prop('collector', e.collector), prop('collection-status', e.status)],
          methods: ['EXAMINE'],
          types: ['control-objective'],
          'relevant-evidence': [
            { href: e.path, description: 'Evidence record and normalized content (gzip JSON) in this bundle.' },
            ...(e.rawPath ? [{ href: e.rawPath, description: 'Raw payload as collected.' }] : []),
          ],
          collected: e.collectedAt,
        };
      }
    },
    *findings() {
      for (const r of f.results) {
        const related = r.evidenceIds.filter((id) => evidence.has(id)).map((id) => ({ 'observation-uuid': obsUuid(id) }));
        const description = r.reasons.length ? r.reasons.join('\n') : r.manualRequest ? `Manual control: ${r.manualRequest}` : `Status: ${r.status}.`;
        yield {
          uuid: uuidV5(`${a.packId}/${f.id}/finding/${r.control}`),
          title: `${r.control}: ${r.title}`,
          description,
          props: [
            prop('control-id', r.control),
            prop('auditpack-status', r.status),
            prop('automation', r.automation),
            ...(r.acceptedRisk ? [prop('accepted-risk', r.acceptedRisk.id), prop('accepted-risk-expires', r.acceptedRisk.expires)] : []),
          ],
          target: {
            type: 'objective-id',
            'target-id': controlToken(f, r),
            title: `${r.control} ${r.title}`,
            status: { state: r.status === 'satisfied' ? 'satisfied' : 'not-satisfied', reason: REASON[r.status] },
          },
          ...(related.length ? { 'related-observations': related } : {}),
        };
      }
    },
  };
}

/** `"name":[a,b,...]` with a leading comma, one item per line; nothing when the generator is empty (OSCAL arrays need minItems 1). */
function* arrayField(name: string, items: Generator<unknown>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? `,${JSON.stringify(name)}:[\n` : ',\n'}${JSON.stringify(item)}`;
    first = false;
  }
  if (!first) yield '\n]';
}

function fields(obj: Record<string, unknown>): string {
  return JSON.stringify(obj).slice(1, -1);
}

/** The document as JSON text, produced piece by piece (one observation or finding at a time). */
export function* oscalJson(a: AssessmentResult, evidence: ReadonlyMap<string, BundledEvidence>): Generator<string> {
  const planUuid = uuidV5(`${a.packId}/assessment-plan`);
  const head = {
    uuid: uuidV5(`${a.packId}/assessment-results`),
    metadata: {
      title: `${a.organisation}: audit evidence pack ${a.period.label}`,
      'last-modified': a.assessedAt,
      version: a.packId,
      'oscal-version': OSCAL_VERSION,
      props: [prop('pack-id', a.packId), prop('generator', `${a.generator.name} ${a.generator.version}`)],
    },
    'import-ap': {
      href: `#${planUuid}`,
      remarks: 'auditpack has no separate OSCAL assessment plan: the plan is the framework catalogs listed in back-matter, applied to the period and scope of this pack.',
    },
  };
  yield `{"assessment-results":{${fields(head)},"results":[`;
  for (const [i, f] of a.frameworks.entries()) {
    const parts = resultParts(a, f, evidence);
    yield `${i ? ',' : ''}\n{${fields(parts.head)}`;
    yield* arrayField('observations', parts.observations());
    yield* arrayField('findings', parts.findings());
    yield '}';
  }
  const backMatter = {
    resources: [
      {
        uuid: planUuid,
        title: `Assessment plan: ${a.frameworks.map((f) => f.id).join(', ')} for ${a.period.label}`,
        description: `Scope: accounts ${a.scope.accounts.join(', ') || 'all in the evidence'}; regions ${a.scope.regions.join(', ') || 'all in the evidence'}.`,
      },
      ...a.frameworks.map((f) => ({
        uuid: uuidV5(`${a.packId}/framework/${f.id}`),
        title: `${f.name} (${f.version}), auditpack catalog "${f.id}"`,
        props: [prop('framework-id', f.id), prop('publisher', f.publisher)],
        rlinks: [{ href: `frameworks/${f.id}.yaml`, 'media-type': 'application/yaml', hashes: [{ algorithm: 'SHA-256', value: f.sha256 }] }],
      })),
    ],
  };
  yield `\n],"back-matter":${JSON.stringify(backMatter)}}}\n`;
}

/** The whole document as an object (tests, small packs). */
export function oscalAssessmentResults(a: AssessmentResult, evidence: ReadonlyMap<string, BundledEvidence>): unknown {
  return JSON.parse([...oscalJson(a, evidence)].join('')) as unknown;
}
