import path from 'node:path';
import type { Command } from 'commander';
import { runLiveCollection } from '../../collectors/live/runner.js';
import { selectCollectors } from '../../collectors/live/registry.js';
import { collectStage } from '../../pipeline/collect-stage.js';
import { parsePeriod } from '../../util/time.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { cliClock, generatorInfo, newRunId, openStore, pipelineContext, resolveConfig, resolvePeriod, storePath } from '../environment.js';
import { formatCollectSummary } from '../format.js';
import { progressReporter } from '../progress.js';
import type { LoadedConfig } from '../../config/load.js';

interface CollectFlags {
  source?: string;
  live?: boolean;
  accounts?: string;
  regions?: string;
  collectors?: string;
  roleName?: string;
  externalId?: string;
  period?: string;
  config?: string;
  store?: string;
  json?: boolean;
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('Collect evidence into the store: from an export directory (--source) or live from AWS APIs (--live)')
    .option('--source <dir>', 'export directory (see docs/export-directory.md)')
    .option('--live', 'collect from AWS APIs with the standard credential chain (AWS_PROFILE, AWS_REGION, ...)')
    .option('--accounts <ids>', 'comma-separated account ids (default: config scope, else the caller account)')
    .option('--regions <regions>', 'comma-separated regions (default: config scope, else every enabled region)')
    .option('--collectors <ids>', 'comma-separated collector ids (default: all)')
    .option('--role-name <name>', 'role to assume in each account: a name or an ARN template with {account}')
    .option('--external-id <id>', 'external id required by the role trust policy')
    .option('--period <period>', 'window for events and logs: YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (default: config period, else the previous month)')
    .option('--config <file>', 'config file (default: ./auditpack.yaml if present)')
    .option('--store <dir>', 'evidence store directory (default: config store.path, or AUDITPACK_STORE)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nExactly one of --source and --live.\nExit codes: 0 collected without errors, 1 something could not be collected (recorded as error items), 2 bad flags or config.',
    )
    .action(async (opts: CollectFlags) => {
      if (Boolean(opts.source) === Boolean(opts.live)) throw new UsageError('give exactly one of --source DIR and --live');
      const loaded = resolveConfig(opts.config);
      if (opts.live) return collectLive(opts, loaded);
      const source = path.resolve(opts.source!);
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

function list(flag: string | undefined): string[] | undefined {
  return flag ? flag.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

export function roleArnFor(template: string | undefined, account: string): string | undefined {
  if (!template) return undefined;
  return template.startsWith('arn:') ? template.replace('{account}', account) : `arn:aws:iam::${account}:role/${template}`;
}

const REGION = /^[a-z]{2,}(-[a-z0-9]+)*-\d+[a-z]?$/;
/** An IAM role name (optionally with a path), or an ARN template with {account}. */
const ROLE = /^(arn:aws[a-z-]*:iam::(\d{12}|\{account\}):role\/)?([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** sts:AssumeRole's ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Flags that reach AWS calls are checked here, so bad ones are bad input (exit 2), not an AWS error later. */
function checkLiveFlags(opts: CollectFlags): void {
  const badRegions = (list(opts.regions) ?? []).filter((r) => !REGION.test(r));
  if (badRegions.length) throw new UsageError(`--regions: not AWS region codes: ${badRegions.map((r) => JSON.stringify(r)).join(', ')}`);
  if (opts.roleName !== undefined && (!ROLE.test(opts.roleName) || opts.roleName.split('/').some((x) => x === '.' || x === '..')))
    throw new UsageError('--role-name: expected an IAM role name (letters, digits, +=,.@_-, optionally a path) or an ARN template with {account}');
  if (opts.externalId !== undefined && !EXTERNAL_ID.test(opts.externalId))
    throw new UsageError('--external-id: expected 2-1224 characters of letters, digits and +=,.@:/_-');
}

async function collectLive(opts: CollectFlags, loaded: LoadedConfig): Promise<void> {
  const c = loaded.config;
  const accounts = list(opts.accounts) ?? c.scope.accounts.map((a) => a.id);
  const bad = accounts.filter((a) => !/^\d{12}$/.test(a));
  if (bad.length) throw new UsageError(`--accounts: not 12-digit account ids: ${bad.join(', ')}`);
  let collectors;
  try {
    collectors = selectCollectors(list(opts.collectors) ?? c.collection.collectors);
  } catch (err) {
    throw new UsageError(`--collectors: ${(err as Error).message}`);
  }
  const clock = cliClock();
  const now = clock();
  const period = parsePeriod(resolvePeriod(opts.period, loaded, now));
  const roleTemplate = opts.roleName ?? c.collection.roleName;
  checkLiveFlags(opts);
  const progress = progressReporter(process.stderr, false);
  const summary = await runLiveCollection({
    collectors,
    accounts: accounts.map((id) => ({ id, roleArn: roleArnFor(roleTemplate, id) })),
    externalId: opts.externalId ?? c.collection.externalId,
    regions: list(opts.regions) ?? c.scope.regions,
    window: { start: new Date(period.start), end: new Date(Math.min(Date.parse(period.end), now.getTime())) },
    store: openStore(storePath(loaded, opts.store)),
    now: clock,
    generator: generatorInfo(),
    sdkMaxAttempts: c.collection.maxAttempts,
    onProgress: (p) => progress({ stage: 'collect', ...p }),
  });
  if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    const lines = [`Collected live as ${summary.callerIdentity?.arn ?? 'unknown'} from account(s) ${summary.accounts.join(', ')}`];
    lines.push(`  ${'collector'.padEnd(12)} ${'collected'.padStart(9)} ${'n/a'.padStart(5)} ${'errors'.padStart(6)} ${'new'.padStart(6)}`);
    for (const [id, t] of Object.entries(summary.byCollector)) {
      lines.push(`  ${id.padEnd(12)} ${String(t.collected).padStart(9)} ${String(t.notApplicable).padStart(5)} ${String(t.errors).padStart(6)} ${String(t.newItems).padStart(6)}`);
    }
    for (const e of summary.errors.slice(0, 20)) lines.push(`  error: ${e}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  process.exitCode = summary.failed ? EXIT.findings : EXIT.ok;
}
