import type { Command } from 'commander';
import { assessStage } from '../../pipeline/assess-stage.js';
import { assessJobFrom } from '../../pipeline/in-process.js';
import { renderStage } from '../../pipeline/render-stage.js';
import { CONTROL_STATUSES, type ControlStatus } from '../../mappers/types.js';
import type { AssessmentResult } from '../../pipeline/assess-stage.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { prepareOutDir } from '../out-dir.js';
import { newRunId, parseFrameworkList, pipelineContext, resolveAsOf, resolveConfig, resolvePeriod, storePath } from '../environment.js';
import { formatAssessmentSummary } from '../format.js';
import { progressReporter } from '../progress.js';

export interface AssessFlags {
  framework?: string;
  period?: string;
  asOf?: string;
  config?: string;
  store?: string;
  out?: string;
  json?: boolean;
  failOn?: string;
}

export function addAssessOptions(cmd: Command): Command {
  return cmd
    .option('--framework <ids>', 'comma-separated framework ids (default: config frameworks)')
    .option('--period <period>', 'YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (default: config period, else the previous month)')
    .option('--as-of <instant>', 'assess as of this ISO-8601 instant (default: config assessment.asOf, else now)')
    .option('--config <file>', 'config file (default: ./auditpack.yaml if present)')
    .option('--store <dir>', 'evidence store directory')
    .option('--json', 'print the assessment as JSON on stdout')
    .option('--fail-on <statuses>', `exit 1 when any control has one of these statuses (${CONTROL_STATUSES.join(',')})`);
}

export function failOnStatuses(flag: string | undefined): ControlStatus[] {
  if (!flag) return [];
  const list = flag.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(CONTROL_STATUSES as readonly string[]).includes(s));
  if (bad.length) throw new UsageError(`--fail-on: unknown status(es) ${bad.join(', ')} (known: ${CONTROL_STATUSES.join(', ')})`);
  return list as ControlStatus[];
}

export function gateFails(a: AssessmentResult, statuses: readonly ControlStatus[]): boolean {
  return a.frameworks.some((f) => f.results.some((r) => statuses.includes(r.status) && !r.acceptedRisk));
}

export function registerAssess(program: Command): void {
  addAssessOptions(program.command('assess').description('Assess stored evidence against frameworks for a period'))
    .option('--out <dir>', 'also write results.json and controls.csv to this directory')
    .addHelpText('after', '\nExit codes: 0 assessed, 1 a --fail-on status was found, 2 bad flags or config.')
    .action(async (opts: AssessFlags) => {
      const loaded = resolveConfig(opts.config);
      const now = new Date();
      const gate = failOnStatuses(opts.failOn);
      const job = assessJobFrom(loaded, {
        runId: newRunId(now),
        frameworks: parseFrameworkList(opts.framework, loaded),
        period: resolvePeriod(opts.period, loaded, now),
        assessedAt: resolveAsOf(opts.asOf, loaded, now),
      });
      const outDir = opts.out ? await prepareOutDir('--out', opts.out) : null;
      const ctx = pipelineContext(storePath(loaded, opts.store), progressReporter(process.stderr, false));
      const result = await assessStage(ctx, job);
      if (outDir) await renderStage(ctx, { runId: job.runId, outDir }, result);
      process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatAssessmentSummary(result) + '\n');
      process.exitCode = gateFails(result, gate) ? EXIT.findings : EXIT.ok;
    });
}
