import { normalizeGuardrail, normalizeLoggingConfig } from '../../../normalizers/bedrock-config.js';
import { cliMeta, normalizeOrReport, qualified, readCliJson, type CliContext } from './cli-common.js';

export async function handleCliBedrock(ctx: CliContext): Promise<void> {
  const logging = ctx.dir.files.get('get-model-invocation-logging-configuration');
  if (logging) {
    const doc = await readCliJson(ctx, logging, 'bedrock.logging_config', 'bedrock');
    if (doc !== undefined) await normalizeOrReport(ctx, logging, 'bedrock.logging_config', 'bedrock', () => ctx.emit(normalizeLoggingConfig(doc, cliMeta(ctx, logging))));
  }
  for (const [, file] of qualified(ctx.dir, 'get-guardrail')) {
    const doc = await readCliJson(ctx, file, 'bedrock.guardrail', 'bedrock');
    if (doc !== undefined) await normalizeOrReport(ctx, file, 'bedrock.guardrail', 'bedrock', () => ctx.emit(normalizeGuardrail(doc, cliMeta(ctx, file))));
  }
}
