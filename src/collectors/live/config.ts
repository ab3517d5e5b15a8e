import {
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigRulesCommand,
  DescribeConfigurationAggregatorsCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeConformancePackComplianceCommand,
  DescribeConformancePacksCommand,
  GetComplianceDetailsByConfigRuleCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { step as sharedStep } from './step.js';
import { collected } from '../../evidence/observation.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import { normalizeConfigurationItem } from '../../normalizers/config/configuration-item.js';
import { normalizeRecorders } from '../../normalizers/config/recorder.js';
import { normalizeComplianceDetails, normalizeConformancePack, normalizeRuleCompliance } from '../../normalizers/config/rules.js';
import { COLLECTORS } from '../catalog.js';
import { allPages, withoutMetadata } from './pages.js';
import { jsonRaw, type LiveCollector, type LiveContext } from './types.js';

const DECLARATION = COLLECTORS.find((c) => c.id === 'config')!;

/** Resource types whose configuration the frameworks read (resource_configuration rules). */
export const CONFIG_ITEM_TYPES = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::IAM::User', 'AWS::CloudTrail::Trail', 'AWS::SageMaker::NotebookInstance', 'AWS::SageMaker::EndpointConfig'];

export const configCollector: LiveCollector = {
  ...DECLARATION,
  operations: [
    'config:DescribeConfigurationRecorderStatus',
    'config:DescribeConfigurationRecorders',
    'config:DescribeConfigRules',
    'config:DescribeComplianceByConfigRule',
    'config:GetComplianceDetailsByConfigRule',
    'config:DescribeConformancePacks',
    'config:DescribeConformancePackCompliance',
    'config:DescribeConfigurationAggregators',
    'config:SelectResourceConfig',
  ],
  async collect(ctx) {
    const counts: Record<string, number> = {};
    const count = (kind: EvidenceKind): void => {
      counts[kind] = (counts[kind] ?? 0) + 1;
    };
    const emit = async (obs: Parameters<LiveContext['emit']>[0]): Promise<void> => {
      if (obs.status.state === 'collected') count(obs.kind);
      await ctx.emit(obs);
    };
    // A kind whose listing failed is left out of the inventory: a denied list must never read as "none exist".
    const failedKinds = new Set<EvidenceKind>();
    const tracked = async <T>(kinds: readonly EvidenceKind[], fn: () => Promise<T>, resource?: string): Promise<T | undefined> => {
      const r = await step(ctx, kinds, fn, resource);
      if (r === undefined) for (const k of kinds) failedKinds.add(k);
      return r;
    };
    await tracked(['config.recorder'], () => recorders(ctx, emit).then(() => true));
    const rules = await tracked(['config.rule_compliance', 'config.resource_compliance'], () => ruleCompliance(ctx, emit));
    // A rule whose details failed is its own error item (resource = the rule); other rules still count.
    for (const ruleName of rules ?? []) await step(ctx, ['config.resource_compliance'], () => details(ctx, ruleName, emit), `config-rule/${ruleName}`);
    await tracked(['config.conformance_pack'], () => conformancePacks(ctx, emit).then(() => true));
    await tracked(['config.configuration_item'], () => configurationItems(ctx, emit).then(() => true));
    const aggregators = await step(ctx, [], () => aggregatorCount(ctx));
    const kinds: EvidenceKind[] = ['config.recorder', 'config.rule_compliance', 'config.resource_compliance', 'config.conformance_pack', 'config.configuration_item'];
    const inventoryCounts: Record<string, number> = {};
    for (const k of kinds) if (!failedKinds.has(k)) inventoryCounts[k] = counts[k] ?? 0;
    await ctx.emit(
      collected(
        {
          collector: 'config',
          kind: 'inventory',
          account: ctx.account,
          region: ctx.region,
          resource: `config/${ctx.account}/${ctx.region}`,
          observedAt: { type: 'instant', at: ctx.now().toISOString() },
          raw: null,
          sources: [{ type: 'api', operation: 'config:DescribeConfigRules', requestId: null }],
        },
        { collector: 'config', counts: { ...inventoryCounts, ...(aggregators !== undefined ? { aggregators } : {}) } },
      ),
    );
  },
};

/** A part of the Config collection, failing as data (see `step.ts`). */
function step<T>(ctx: LiveContext, kinds: readonly EvidenceKind[], fn: () => Promise<T>, resource?: string): Promise<T | undefined> {
  return sharedStep((k, op, e, r) => ctx.fail(k, op, e, r), 'config:collect', kinds, fn, resource);
}

async function recorders(ctx: LiveContext, emit: LiveContext['emit']): Promise<void> {
  const client = ctx.clients.config(ctx.region);
  const status = await ctx.call('config:DescribeConfigurationRecorderStatus', (s) => client.send(new DescribeConfigurationRecorderStatusCommand({}), { abortSignal: s }));
  const defs = await ctx.call('config:DescribeConfigurationRecorders', (s) => client.send(new DescribeConfigurationRecordersCommand({}), { abortSignal: s }));
  const raw = jsonRaw(withoutMetadata(status.output));
  const meta = ctx.meta([{ operation: 'config:DescribeConfigurationRecorderStatus', requestId: status.requestId }, { operation: 'config:DescribeConfigurationRecorders', requestId: defs.requestId }], raw);
  for (const obs of normalizeRecorders(withoutMetadata(status.output), withoutMetadata(defs.output), meta)) await emit(obs);
}

async function ruleCompliance(ctx: LiveContext, emit: LiveContext['emit']): Promise<string[]> {
  const client = ctx.clients.config(ctx.region);
  const rules = await allPages(ctx, 'config:DescribeConfigRules', (NextToken, s) => client.send(new DescribeConfigRulesCommand({ NextToken }), { abortSignal: s }), (p) => p.NextToken);
  const byRule = await allPages(
    ctx,
    'config:DescribeComplianceByConfigRule',
    (NextToken, s) => client.send(new DescribeComplianceByConfigRuleCommand({ NextToken }), { abortSignal: s }),
    (p) => p.NextToken,
  );
  const merged = { ComplianceByConfigRules: byRule.pages.flatMap((p) => p.ComplianceByConfigRules ?? []) };
  const defs = { ConfigRules: rules.pages.flatMap((p) => p.ConfigRules ?? []) };
  const meta = ctx.meta([...byRule.calls, ...rules.calls], jsonRaw(merged));
  for (const obs of normalizeRuleCompliance(merged, defs, meta)) await emit(obs);
  return defs.ConfigRules.map((r) => r.ConfigRuleName).filter((n): n is string => typeof n === 'string');
}

async function details(ctx: LiveContext, ruleName: string, emit: LiveContext['emit']): Promise<void> {
  const client = ctx.clients.config(ctx.region);
  const res = await allPages(
    ctx,
    'config:GetComplianceDetailsByConfigRule',
    (NextToken, s) => client.send(new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: ruleName, NextToken, Limit: 100 }), { abortSignal: s }),
    (p) => p.NextToken,
  );
  const merged = { EvaluationResults: res.pages.flatMap((p) => p.EvaluationResults ?? []) };
  for (const obs of normalizeComplianceDetails(merged, ctx.meta(res.calls, jsonRaw(merged)))) await emit(obs);
}

async function conformancePacks(ctx: LiveContext, emit: LiveContext['emit']): Promise<void> {
  const client = ctx.clients.config(ctx.region);
  const packs = await allPages(ctx, 'config:DescribeConformancePacks', (NextToken, s) => client.send(new DescribeConformancePacksCommand({ NextToken }), { abortSignal: s }), (p) => p.NextToken);
  for (const pack of packs.pages.flatMap((p) => p.ConformancePackDetails ?? [])) {
    const name = pack.ConformancePackName;
    if (!name) continue;
    const res = await allPages(
      ctx,
      'config:DescribeConformancePackCompliance',
      (NextToken, s) => client.send(new DescribeConformancePackComplianceCommand({ ConformancePackName: name, NextToken }), { abortSignal: s }),
      (p) => p.NextToken,
    );
    const merged = { ConformancePackName: name, ConformancePackRuleComplianceList: res.pages.flatMap((p) => p.ConformancePackRuleComplianceList ?? []) };
    await emit(normalizeConformancePack(merged, ctx.meta(res.calls, jsonRaw(merged))));
  }
}

async function configurationItems(ctx: LiveContext, emit: LiveContext['emit']): Promise<void> {
  const client = ctx.clients.config(ctx.region);
  const expression =
    'SELECT resourceType, resourceId, resourceName, arn, accountId, awsRegion, configurationItemCaptureTime, configurationItemStatus, configuration, supplementaryConfiguration, tags ' +
    `WHERE resourceType IN (${CONFIG_ITEM_TYPES.map((t) => `'${t}'`).join(', ')})`;
  const res = await allPages(ctx, 'config:SelectResourceConfig', (NextToken, s) => client.send(new SelectResourceConfigCommand({ Expression: expression, NextToken, Limit: 100 }), { abortSignal: s }), (p) => p.NextToken);
  let i = 0;
  for (const line of res.pages.flatMap((p) => p.Results ?? [])) {
    const ci = JSON.parse(line) as unknown;
    const meta = ctx.meta(res.calls, { bytes: Buffer.from(line), mediaType: 'application/json', sensitive: false });
    await emit(normalizeConfigurationItem(ci, meta, `Results[${i++}]`));
  }
}

async function aggregatorCount(ctx: LiveContext): Promise<number> {
  const client = ctx.clients.config(ctx.region);
  const res = await allPages(ctx, 'config:DescribeConfigurationAggregators', (NextToken, s) => client.send(new DescribeConfigurationAggregatorsCommand({ NextToken }), { abortSignal: s }), (p) => p.NextToken);
  return res.pages.flatMap((p) => p.ConfigurationAggregators ?? []).filter((a) => a.OrganizationAggregationSource).length;
}
