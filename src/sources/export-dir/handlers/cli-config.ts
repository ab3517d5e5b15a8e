import { normalizeRecorders } from '../../../normalizers/config/recorder.js';
import { normalizeComplianceDetails, normalizeConformancePack, normalizeRuleCompliance } from '../../../normalizers/config/rules.js';
import { cliMeta, normalizeOrReport, qualified, readCliJson, type CliContext } from './cli-common.js';

export async function handleCliConfig(ctx: CliContext): Promise<void> {
  const files = ctx.dir.files;
  const statusFile = files.get('describe-configuration-recorder-status');
  if (statusFile) {
    const recordersFile = files.get('describe-configuration-recorders');
    const recorders = recordersFile ? await readCliJson(ctx, recordersFile, 'config.recorder', 'config') : undefined;
    const status = await readCliJson(ctx, statusFile, 'config.recorder', 'config');
    if (status !== undefined) {
      await normalizeOrReport(ctx, statusFile, 'config.recorder', 'config', async () => {
        for (const obs of normalizeRecorders(status, recorders, cliMeta(ctx, statusFile, recordersFile ? [recordersFile] : []))) await ctx.emit(obs);
      });
    }
  }

  const byRuleFile = files.get('describe-compliance-by-config-rule');
  if (byRuleFile) {
    const rulesFile = files.get('describe-config-rules');
    const rules = rulesFile ? await readCliJson(ctx, rulesFile, 'config.rule_compliance', 'config') : undefined;
    const byRule = await readCliJson(ctx, byRuleFile, 'config.rule_compliance', 'config');
    if (byRule !== undefined) {
      await normalizeOrReport(ctx, byRuleFile, 'config.rule_compliance', 'config', async () => {
        for (const obs of normalizeRuleCompliance(byRule, rules, cliMeta(ctx, byRuleFile, rulesFile ? [rulesFile] : []))) await ctx.emit(obs);
      });
    }
  }

  for (const [, file] of qualified(ctx.dir, 'get-compliance-details-by-config-rule')) {
    const doc = await readCliJson(ctx, file, 'config.resource_compliance', 'config');
    if (doc === undefined) continue;
    await normalizeOrReport(ctx, file, 'config.resource_compliance', 'config', async () => {
      for (const obs of normalizeComplianceDetails(doc, cliMeta(ctx, file))) await ctx.emit(obs);
    });
  }

  for (const [, file] of qualified(ctx.dir, 'describe-conformance-pack-compliance')) {
    const doc = await readCliJson(ctx, file, 'config.conformance_pack', 'config');
    if (doc === undefined) continue;
    await normalizeOrReport(ctx, file, 'config.conformance_pack', 'config', async () => {
      await ctx.emit(normalizeConformancePack(doc, cliMeta(ctx, file)));
    });
  }
}
