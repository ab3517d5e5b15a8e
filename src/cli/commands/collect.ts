import path from 'node:path';
import type { Command } from 'commander';
import { collectStage } from '../../pipeline/collect-stage.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { newRunId, pipelineContext, resolveConfig, storePath } from '../environment.js';
import { formatCollectSummary } from '../format.js';
import { progressReporter } from '../progress.js';

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('Collect evidence into the store from an export directory (AWS log files and AWS CLI JSON outputs)')
    .requiredOption('--source <dir>', 'export directory (see docs/export-directory.md)')
    .option('--config <file>', 'config file (default: ./auditpack.yaml if present)')
    .option('--store <dir>', 'evidence store directory (default: config store.path, or AUDITPACK_STORE)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', '\nExit codes: 0 collected without errors, 1 some inputs were malformed or refused (recorded as error items), 2 bad flags or config.')
    .action(async (opts: { source: string; config?: string; store?: string; json?: boolean }) => {
      const loaded = resolveConfig(opts.config);
      const source = path.resolve(opts.source);
      const ctx = pipelineContext(storePath(loaded, opts.store), progressReporter(process.stderr, false));
      let result;
      try {
        result = await collectStage(ctx, { runId: newRunId(ctx.now()), source: { type: 'export-dir', path: source } });
      } catch (err) {
        if (/export directory/.test((err as Error).message)) throw new UsageError(`--source: ${(err as Error).message}`);
        throw err;
      }
      process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatCollectSummary(result.summary) + '\n');
      process.exitCode = result.failed ? EXIT.findings : EXIT.ok;
    });
}
