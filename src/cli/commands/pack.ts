import path from 'node:path';
import type { Command } from 'commander';
import { runPackInProcess } from '../../pipeline/in-process.js';
import { EXIT } from '../exit-codes.js';
import { newRunId, parseFrameworkList, pipelineContext, resolveAsOf, resolveConfig, resolvePeriod, storePath } from '../environment.js';
import { formatAssessmentSummary, formatCollectSummary } from '../format.js';
import { progressReporter } from '../progress.js';
import { prepareOutDir } from '../out-dir.js';
import { addAssessOptions, failOnStatuses, gateFails } from './assess.js';
import { addPackQueueOptions, runPackViaQueue, type PackQueueFlags } from './pack-queue.js';

export function registerPack(program: Command): void {
  addPackQueueOptions(addAssessOptions(program.command('pack').description('Collect (when --source is given), assess and write the evidence pack')))
    .option('--source <dir>', 'export directory to collect from first (with --queue: comma-separated list)')
    .option('--out <dir>', 'output directory (default: config output.dir)')
    .addHelpText('after', '\nExit codes: 0 pack written, 1 collection errors or a --fail-on status, 2 bad flags or config.')
    .action(async (opts: PackQueueFlags) => {
      if (opts.queue) {
        process.exitCode = await runPackViaQueue(opts);
        return;
      }
      const loaded = resolveConfig(opts.config);
      const now = new Date();
      const gate = failOnStatuses(opts.failOn);
      const ctx = pipelineContext(storePath(loaded, opts.store), progressReporter(process.stderr, false));
      const request = {
        runId: newRunId(now),
        source: opts.source ? path.resolve(opts.source) : undefined,
        frameworks: parseFrameworkList(opts.framework, loaded),
        period: resolvePeriod(opts.period, loaded, now),
        assessedAt: resolveAsOf(opts.asOf, loaded, now),
      };
      // Checked before anything is collected: a bad output directory is bad input, not a failure after the work.
      const outDir = await prepareOutDir(opts.out ? '--out' : 'output.dir', opts.out ?? path.resolve(loaded.baseDir, loaded.config.output.dir));
      const outcome = await runPackInProcess(ctx, loaded, { ...request, outDir });
      if (opts.json) process.stdout.write(JSON.stringify({ collect: outcome.collect, assessment: outcome.assessment, files: outcome.render.files }, null, 2) + '\n');
      else {
        if (outcome.collect) process.stdout.write(formatCollectSummary(outcome.collect.summary) + '\n\n');
        process.stdout.write(formatAssessmentSummary(outcome.assessment) + '\n\n');
        for (const f of outcome.render.files) process.stdout.write(`wrote ${path.relative(process.cwd(), f) || f}\n`);
      }
      process.exitCode = outcome.collect?.failed || gateFails(outcome.assessment, gate) ? EXIT.findings : EXIT.ok;
    });
}
