import type { AssessmentResult } from '../pipeline/assess-stage.js';
import type { BundledEvidence } from '../bundle/layout.js';
import type { ControlStatus } from '../mappers/types.js';

/**
 * OCSF 1.1.0 Compliance Finding events (class_uid 2003, category Findings), one per control result. Status
 * mapping is conservative: only `satisfied` is Pass; an `exception` is Fail; a `gap` (missing, stale or failed
 * evidence) is Warning ("did not yield a result due to missing information"); `manual` and `not_applicable`
 * are Other with the auditpack status in compliance.status.
 */

export const OCSF_VERSION = '1.1.0';

const COMPLIANCE: Record<ControlStatus, { id: number; name: string }> = {
  satisfied: { id: 1, name: 'Pass' },
  exception: { id: 3, name: 'Fail' },
  gap: { id: 2, name: 'Warning' },
  manual: { id: 99, name: 'Manual' },
  not_applicable: { id: 99, name: 'Not Applicable' },
};

const SEVERITY: Record<ControlStatus, { id: number; name: string }> = {
  satisfied: { id: 1, name: 'Informational' },
  exception: { id: 4, name: 'High' },
  gap: { id: 3, name: 'Medium' },
  manual: { id: 1, name: 'Informational' },
  not_applicable: { id: 1, name: 'Informational' },
};

/** At most this many resources per finding; the full list is in the indexes. */
const MAX_RESOURCES = 50;

export interface OcsfComplianceFinding {
  readonly class_uid: 2003;
  readonly [key: string]: unknown;
}

/** One finding at a time (the bundle streams them to the zip). */
export function* ocsfFindingEvents(a: AssessmentResult, evidence: ReadonlyMap<string, BundledEvidence>): Generator<OcsfComplianceFinding> {
  const time = Date.parse(a.assessedAt);
  for (const f of a.frameworks) {
    for (const r of f.results) {
      const items = r.evidenceIds.map((id) => evidence.get(id)).filter((e): e is BundledEvidence => e !== undefined);
      const resources = new Map<string, { uid: string; type: string; region: string; cloud_partition: string; owner: { account: { uid: string; type: string; type_id: number } } }>();
      for (const e of items) {
        if (!e.resource || resources.size >= MAX_RESOURCES) continue;
        resources.set(`${e.account}|${e.region}|${e.resource}`, {
          uid: e.resource,
          type: e.kind,
          region: e.region,
          cloud_partition: 'aws',
          owner: { account: { uid: e.account, type: 'AWS Account', type_id: 10 } },
        });
      }
      const c = COMPLIANCE[r.status];
      const sev = SEVERITY[r.status];
      const detail = r.reasons.join(' | ') || (r.manualRequest ? `manual: ${r.manualRequest}` : r.status);
      yield {
        activity_id: 1,
        activity_name: 'Create',
        category_uid: 2,
        category_name: 'Findings',
        class_uid: 2003 as const,
        class_name: 'Compliance Finding',
        type_uid: 200301,
        type_name: 'Compliance Finding: Create',
        time,
        severity_id: sev.id,
        severity: sev.name,
        status_id: 1,
        status: 'New',
        message: `${f.id} ${r.control} ${r.title}: ${r.status}`,
        metadata: {
          version: OCSF_VERSION,
          product: { name: a.generator.name, vendor_name: a.generator.name, version: a.generator.version },
          uid: `${a.packId}/${f.id}/${r.control}`,
          correlation_uid: a.packId,
        },
        finding_info: {
          uid: `${a.packId}/${f.id}/${r.control}`,
          title: `${f.name} ${r.control}: ${r.title}`,
          desc: detail,
          created_time: time,
          types: [`auditpack:${r.status}`],
          data_sources: [...new Set(items.map((e) => e.kind))].sort(),
        },
        compliance: {
          standards: [`${f.name} (${f.version})`],
          control: r.control,
          requirements: [r.section],
          status_id: c.id,
          status: c.name,
          status_code: r.status,
          status_detail: detail,
        },
        cloud: { provider: 'AWS' },
        ...(resources.size ? { resources: [...resources.values()] } : {}),
        unmapped: {
          auditpack: {
            pack_id: a.packId,
            framework: f.id,
            framework_sha256: f.sha256,
            automation: r.automation,
            period: a.period.label,
            accepted_risk: r.acceptedRisk ? { id: r.acceptedRisk.id, owner: r.acceptedRisk.owner, approver: r.acceptedRisk.approver, expires: r.acceptedRisk.expires } : null,
            evidence: items.map((e) => ({ id: e.id, file: e.path })),
          },
        },
      };
    }
  }
}

export function ocsfFindings(a: AssessmentResult, evidence: ReadonlyMap<string, BundledEvidence>): OcsfComplianceFinding[] {
  return [...ocsfFindingEvents(a, evidence)];
}

/** A JSON array of the findings, one per line. */
export function* ocsfJson(a: AssessmentResult, evidence: ReadonlyMap<string, BundledEvidence>): Generator<string> {
  let first = true;
  yield '[';
  for (const e of ocsfFindingEvents(a, evidence)) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(e)}`;
    first = false;
  }
  yield '\n]\n';
}
