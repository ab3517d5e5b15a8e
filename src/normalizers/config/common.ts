import { COMPLIANCE_TYPES } from '../../evidence/content.js';

type ComplianceType = (typeof COMPLIANCE_TYPES)[number];
import type { Observation } from '../../evidence/observation.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import { NormalizeError, describe, type NormalizeMeta } from '../types.js';

export function complianceType(value: unknown, input: string, where: string): ComplianceType {
  if (value === undefined || value === null) return 'INSUFFICIENT_DATA';
  if (typeof value === 'string' && (COMPLIANCE_TYPES as readonly string[]).includes(value)) return value as ComplianceType;
  throw new NormalizeError(input, `${where} must be one of ${COMPLIANCE_TYPES.join('|')}, got ${describe(value)}`, 'UnknownShape');
}

export function configBase<K extends EvidenceKind>(
  kind: K,
  resource: string,
  meta: NormalizeMeta,
  at: string = meta.observedAt,
): Omit<Observation<K>, 'status' | 'content'> {
  return {
    collector: 'config',
    kind,
    account: meta.account,
    region: meta.region,
    resource,
    observedAt: { type: 'instant', at },
    raw: meta.raw,
    sources: meta.sources,
  };
}
