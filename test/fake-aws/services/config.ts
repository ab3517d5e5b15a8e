/** AWS Config (awsJson1_1, `StarlingDoveService.*`), served from `cli/<acct>/<region>/configservice/` and the Config snapshots. */
import { gunzipSync } from 'node:zlib';
import type { Estate } from '../estate.js';
import { AwsError, type CallContext, type JsonHandler } from '../types.js';

const SVC = 'configservice';

function doc<T>(ctx: CallContext, name: string, fallback: T): T {
  return (ctx.estate.cli(ctx.account, ctx.region, SVC, name)?.doc as T | undefined) ?? fallback;
}

function names(input: Record<string, unknown>, key: string): string[] | null {
  const v = input[key];
  return Array.isArray(v) && v.length > 0 ? (v as string[]) : null;
}

type Rec = Record<string, unknown>;

export const configHandlers: Record<string, JsonHandler> = {
  DescribeConfigurationRecorderStatus(input, ctx) {
    const out = doc<{ ConfigurationRecordersStatus?: Rec[] }>(ctx, 'describe-configuration-recorder-status', {
      ConfigurationRecordersStatus: [],
    });
    const only = names(input, 'ConfigurationRecorderNames');
    return only
      ? {
          ConfigurationRecordersStatus: (out.ConfigurationRecordersStatus ?? []).filter((r) =>
            only.includes(r['name'] as string),
          ),
        }
      : out;
  },
  DescribeConfigurationRecorders(input, ctx) {
    const out = doc<{ ConfigurationRecorders?: Rec[] }>(ctx, 'describe-configuration-recorders', {
      ConfigurationRecorders: [],
    });
    const only = names(input, 'ConfigurationRecorderNames');
    return only
      ? { ConfigurationRecorders: (out.ConfigurationRecorders ?? []).filter((r) => only.includes(r['name'] as string)) }
      : out;
  },
  DescribeDeliveryChannels(_input, ctx) {
    return doc(ctx, 'describe-delivery-channels', { DeliveryChannels: [] });
  },
  DescribeConfigRules(input, ctx) {
    const rules = doc<{ ConfigRules?: Rec[] }>(ctx, 'describe-config-rules', { ConfigRules: [] }).ConfigRules ?? [];
    const only = names(input, 'ConfigRuleNames');
    if (only) {
      const missing = only.filter((n) => !rules.some((r) => r['ConfigRuleName'] === n));
      if (missing.length)
        throw new AwsError(
          'NoSuchConfigRuleException',
          400,
          `The ConfigRule '${missing[0]}' provided in the request is invalid. Please check the configRule name.`,
        );
    }
    return { ConfigRules: only ? rules.filter((r) => only.includes(r['ConfigRuleName'] as string)) : rules };
  },
  DescribeComplianceByConfigRule(input, ctx) {
    let list =
      doc<{ ComplianceByConfigRules?: Rec[] }>(ctx, 'describe-compliance-by-config-rule', {
        ComplianceByConfigRules: [],
      }).ComplianceByConfigRules ?? [];
    const only = names(input, 'ConfigRuleNames');
    const types = names(input, 'ComplianceTypes');
    if (only) list = list.filter((r) => only.includes(r['ConfigRuleName'] as string));
    if (types)
      list = list.filter((r) => types.includes((r['Compliance'] as Rec | undefined)?.['ComplianceType'] as string));
    return { ComplianceByConfigRules: list };
  },
  GetComplianceDetailsByConfigRule(input, ctx) {
    const rule = input['ConfigRuleName'] as string;
    const rules = doc<{ ConfigRules?: Rec[] }>(ctx, 'describe-config-rules', { ConfigRules: [] }).ConfigRules ?? [];
    const file = ctx.estate.cli(ctx.account, ctx.region, SVC, `get-compliance-details-by-config-rule.${rule}`);
    if (!file && !rules.some((r) => r['ConfigRuleName'] === rule)) {
      throw new AwsError(
        'NoSuchConfigRuleException',
        400,
        `The ConfigRule '${rule}' provided in the request is invalid. Please check the configRule name.`,
      );
    }
    let list = (file?.doc as { EvaluationResults?: Rec[] } | undefined)?.EvaluationResults ?? [];
    const types = names(input, 'ComplianceTypes');
    if (types) list = list.filter((r) => types.includes(r['ComplianceType'] as string));
    return { EvaluationResults: list };
  },
  DescribeConformancePacks(input, ctx) {
    const explicit = ctx.estate.cli(ctx.account, ctx.region, SVC, 'describe-conformance-packs');
    const packs = explicit
      ? ((explicit.doc as { ConformancePackDetails?: Rec[] }).ConformancePackDetails ?? [])
      : ctx.estate.qualified(ctx.account, ctx.region, SVC, 'describe-conformance-pack-compliance').map((d) => {
          const name = ((d.doc as Rec)['ConformancePackName'] as string | undefined) ?? d.qualifier!;
          const id = `conformance-pack-${stableId(`${ctx.account}/${ctx.region}/${name}`)}`;
          return {
            ConformancePackName: name,
            ConformancePackArn: `arn:aws:config:${ctx.region}:${ctx.account}:conformance-pack/${name}/${id}`,
            ConformancePackId: id,
          };
        });
    const only = names(input, 'ConformancePackNames');
    return {
      ConformancePackDetails: only ? packs.filter((p) => only.includes(p['ConformancePackName'] as string)) : packs,
    };
  },
  DescribeConformancePackCompliance(input, ctx) {
    const name = input['ConformancePackName'] as string;
    const file = ctx.estate.cli(ctx.account, ctx.region, SVC, `describe-conformance-pack-compliance.${name}`);
    if (!file) throw new AwsError('NoSuchConformancePackException', 400, `Conformance pack ${name} does not exist.`);
    const d = file.doc as Rec;
    return {
      ConformancePackName: (d['ConformancePackName'] as string | undefined) ?? name,
      ConformancePackRuleComplianceList: d['ConformancePackRuleComplianceList'] ?? [],
    };
  },
  DescribeConfigurationAggregators(_input, ctx) {
    return doc(ctx, 'describe-configuration-aggregators', { ConfigurationAggregators: [] });
  },
  SelectResourceConfig(input, ctx) {
    const explicit = ctx.estate.cli(ctx.account, ctx.region, SVC, 'select-resource-config');
    if (explicit) return explicit.doc;
    const { fields, types } = parseSelect(input['Expression'] as string);
    const items = latestItems(ctx.estate, ctx.account, ctx.region).filter(
      (ci) => types === null || types.includes(ci['resourceType'] as string),
    );
    return {
      Results: items.map((ci) => JSON.stringify(project(ci, fields))),
      QueryInfo: { SelectFields: fields.map((Name) => ({ Name })) },
    };
  },
  BatchGetResourceConfig(input, ctx) {
    const keys = (input['resourceKeys'] as { resourceType: string; resourceId: string }[]) ?? [];
    const items = latestItems(ctx.estate, ctx.account, ctx.region);
    const found: Rec[] = [];
    const missing: Rec[] = [];
    for (const k of keys) {
      const ci = items.find((c) => c['resourceType'] === k.resourceType && c['resourceId'] === k.resourceId);
      if (!ci) {
        missing.push(k);
        continue;
      }
      const p = project(ci, [
        'version',
        'accountId',
        'configurationItemCaptureTime',
        'configurationItemStatus',
        'configurationStateId',
        'arn',
        'resourceType',
        'resourceId',
        'resourceName',
        'awsRegion',
        'availabilityZone',
        'resourceCreationTime',
        'configuration',
        'supplementaryConfiguration',
      ]);
      p['configuration'] = JSON.stringify(p['configuration'] ?? null);
      const sup = (p['supplementaryConfiguration'] ?? {}) as Rec;
      p['supplementaryConfiguration'] = Object.fromEntries(
        Object.entries(sup).map(([kk, v]) => [kk, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
      found.push(p);
    }
    // Every key answered: AWS returns unprocessedResourceKeys only for keys it did not get to; unknown keys are simply absent.
    void missing;
    return { baseConfigurationItems: found, unprocessedResourceKeys: [] };
  },
};

/**
 * The subset of the Config query language the fake understands: `SELECT f1, f2 ... [WHERE resourceType IN (...)
 * | resourceType = '...']`. Anything else is refused with InvalidExpressionException, so a collector cannot come
 * to rely on filtering the fake does not do.
 */
export function parseSelect(expression: string): { fields: string[]; types: string[] | null } {
  const m = /^\s*SELECT\s+(.+?)(?:\s+WHERE\s+(.+?))?\s*$/is.exec(expression ?? '');
  if (!m) throw new AwsError('InvalidExpressionException', 400, `Invalid expression: ${expression}`);
  const fields = m[1]!.split(',').map((f) => f.trim());
  if (fields.some((f) => !/^[A-Za-z][A-Za-z0-9.]*$/.test(f)))
    throw new AwsError('InvalidExpressionException', 400, `Unsupported select list: ${m[1]}`);
  if (!m[2]) return { fields, types: null };
  const inList = /^resourceType\s+IN\s*\(([^)]*)\)$/i.exec(m[2].trim());
  const eq = /^resourceType\s*=\s*'([^']+)'$/i.exec(m[2].trim());
  if (inList) return { fields, types: inList[1]!.split(',').map((s) => s.trim().replace(/^'|'$/g, '')) };
  if (eq) return { fields, types: [eq[1]!] };
  throw new AwsError(
    'InvalidExpressionException',
    400,
    `The fake AWS supports only "WHERE resourceType IN (...)" / "resourceType = '...'", got: ${m[2]}`,
  );
}

/** The newest configuration item per resource across the account/region's Config snapshot files. */
export function latestItems(estate: Estate, account: string, region: string): Rec[] {
  const byKey = new Map<string, Rec>();
  const files = [...estate.files.values()].filter(
    (f) => f.rel.startsWith(`AWSLogs/${account}/Config/${region}/`) && f.rel.includes('/ConfigSnapshot/'),
  );
  for (const f of files) {
    for (const ci of (JSON.parse(gunzipSync(f.bytes).toString('utf8')) as { configurationItems?: Rec[] })
      .configurationItems ?? []) {
      const key = `${String(ci['resourceType'])}/${String(ci['resourceId'])}`;
      const prev = byKey.get(key);
      if (!prev || String(prev['configurationItemCaptureTime']) <= String(ci['configurationItemCaptureTime']))
        byKey.set(key, ci);
    }
  }
  return [...byKey.values()].sort((a, b) =>
    `${String(a['resourceType'])}/${String(a['resourceId'])}` <
    `${String(b['resourceType'])}/${String(b['resourceId'])}`
      ? -1
      : 1,
  );
}

/** A delivered configuration item (snapshot shape) as the fields of an advanced query result. */
function project(ci: Rec, fields: readonly string[]): Rec {
  const api: Rec = {
    version: ci['configurationItemVersion'] ?? ci['version'],
    accountId: ci['awsAccountId'] ?? ci['accountId'],
    configurationItemCaptureTime: ci['configurationItemCaptureTime'],
    configurationItemStatus: ci['configurationItemStatus'],
    configurationStateId: ci['configurationStateId'],
    arn: ci['ARN'] ?? ci['arn'],
    resourceType: ci['resourceType'],
    resourceId: ci['resourceId'],
    resourceName: ci['resourceName'],
    awsRegion: ci['awsRegion'],
    availabilityZone: ci['availabilityZone'],
    resourceCreationTime: ci['resourceCreationTime'],
    configuration: ci['configuration'],
    supplementaryConfiguration: ci['supplementaryConfiguration'],
    relationships: ci['relationships'],
    tags: Array.isArray(ci['tags'])
      ? ci['tags']
      : Object.entries((ci['tags'] ?? {}) as Rec).map(([key, value]) => ({ key, value })),
  };
  const out: Rec = {};
  for (const f of fields) {
    const top = f.split('.')[0]!;
    if (api[top] !== undefined && api[top] !== null) out[top] = api[top];
  }
  return out;
}

function stableId(s: string): string {
  let h = 0x811c9dc5;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(36).padStart(7, '0').slice(0, 7);
}
