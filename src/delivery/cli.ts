import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { EXIT, UsageError } from '../cli/exit-codes.js';
import { cliClock, pipelineContext, resolveConfig, storePath } from '../cli/environment.js';
import { progressReporter } from '../cli/progress.js';
import { DeliveryConfig } from './config.js';
import { createDeliveryTarget, deliver, TARGET_NAMES, type TargetName } from './index.js';
import { DeliveryError, DeliveryInputError, type AuditManagerReceipt, type DeliveryReceipt } from './types.js';

export interface DeliverFlags {
  bundle: string;
  to: string;
  config?: string;
  store?: string;
  dir?: string;
  run?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Exit codes of `auditpack deliver`. */
export const DELIVER_EXIT = { ok: EXIT.ok, failed: EXIT.findings, badInput: EXIT.usage } as const;

/** `delivery:` of the loaded config, validated with the delivery schema (also once config/schema.ts embeds it). */
export function deliveryConfigOf(config: unknown, file: string | null): DeliveryConfig | undefined {
  const raw = (config as { delivery?: unknown } | null)?.delivery;
  if (raw === undefined) return undefined;
  const parsed = DeliveryConfig.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`config ${file ?? '(defaults)'}: ${parsed.error.issues.map((i) => `delivery.${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Whether the delivery is complete (an Audit Manager import with deferred or failed controls is not). */
export function deliveryComplete(r: DeliveryReceipt): boolean {
  return r.kind !== 'audit-manager' || (r.failed.length === 0 && r.deferred.length === 0);
}

export function formatReceipt(r: DeliveryReceipt): string {
  const head = `${r.bundle.name} (${r.bundle.size ? `${r.bundle.size} bytes, ` : ''}sha256 ${r.bundle.sha256})`;
  switch (r.kind) {
    case 's3':
      return [
        `Delivered ${head}`,
        `  to         ${r.location}${r.versionId ? ` (version ${r.versionId})` : ''}`,
        `  encrypted  SSE-KMS ${r.encryption.kmsKeyId ?? '(bucket key)'}`,
        `  retention  ${r.retention ? `${r.retention.mode} until ${r.retention.retainUntil}` : 'none (no Object Lock configured)'}`,
        `  checksum   SHA-256 ${r.checksumSha256 ?? '(not reported)'}, verified by S3 on upload`,
        `  download   ${r.download.url}`,
        `  expires    ${r.download.expiresAt}${r.download.note ? ` (${r.download.note})` : ''}`,
      ].join('\n');
    case 'local-directory':
      return [`Delivered ${head}`, `  to         ${r.path}${r.alreadyPresent ? ' (already there, unchanged)' : ''}`, `  checksum   ${r.checksumFile}`].join('\n');
    case 'audit-manager':
      return formatAuditManager(r);
  }
}

function formatAuditManager(r: AuditManagerReceipt): string {
  const files = r.imported.reduce((n, c) => n + c.files.length, 0);
  const lines = [
    `${r.dryRun ? 'Would import' : 'Imported'} ${files} evidence file(s) into ${r.imported.length} control(s) of Audit Manager assessment ${r.assessmentName ?? ''} ${r.assessmentId}`.replace(/ {2,}/g, ' '),
    `  already imported ${r.alreadyImported.length}, deferred ${r.deferred.length}, failed ${r.failed.length}, unmatched ${r.unmatched.length}`,
  ];
  for (const c of r.imported) lines.push(`  ${r.dryRun ? 'plan' : 'ok  '} ${c.controlName} ← ${c.auditpackControls.join(', ')}: ${c.files.map((f) => f.fileName).join(', ')}`);
  for (const c of r.deferred) lines.push(`  wait ${c.controlName}: ${c.reason}: ${c.detail}`);
  for (const c of r.failed) lines.push(`  FAIL ${c.controlName}: ${c.error}`);
  if (r.unmatched.length) lines.push(`  unmatched (add them to the control mapping file to deliver): ${r.unmatched.slice(0, 10).map((c) => c.controlName).join('; ')}${r.unmatched.length > 10 ? `; … ${r.unmatched.length - 10} more` : ''}`);
  return lines.join('\n');
}

export interface DeliverDeps {
  /** How the config is found and loaded (tests inject one with a delivery: section). */
  readonly resolveConfig: (configFlag: string | undefined) => LoadedConfig;
}

export function registerDeliver(program: Command, deps: Partial<DeliverDeps> = {}): void {
  const loadConfig = deps.resolveConfig ?? resolveConfig;
  program
    .command('deliver')
    .description('Deliver a signed bundle to S3 (SSE-KMS, optional Object Lock, expiring download link), a directory, or an existing AWS Audit Manager assessment')
    .requiredOption('--bundle <file>', 'the signed bundle (zip); it is verified against its manifest before delivery')
    .requiredOption('--to <target>', `where: ${TARGET_NAMES.join(' | ')}`)
    .option('--config <file>', 'config file with the delivery: section (default: ./auditpack.yaml if present)')
    .option('--store <dir>', 'evidence store (audit-manager: holds the assessment, the import ledger and the daily counts)')
    .option('--dir <dir>', 'target directory for --to dir (default: delivery.directory.path)')
    .option('--run <runId>', 'audit-manager: the run whose assessment the bundle holds (default: the run recorded in the bundle)')
    .option('--dry-run', 'audit-manager: match controls and build the evidence files, but import nothing')
    .option('--json', 'print the delivery receipt as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 delivered, 1 delivery failed or incomplete (AWS refused, upload failed, Audit Manager evidence deferred or rejected), 2 bad input (flags, config, a bundle that fails verification).',
    )
    .action(async (opts: DeliverFlags) => {
      if (!(TARGET_NAMES as readonly string[]).includes(opts.to)) throw new UsageError(`--to: "${opts.to}" is not a target (${TARGET_NAMES.join(', ')})`);
      const name = opts.to as TargetName;
      if ((opts.run || opts.dryRun) && name !== 'audit-manager') throw new UsageError('--run and --dry-run apply to --to audit-manager only');
      const loaded = loadConfig(opts.config);
      const delivery = deliveryConfigOf(loaded.config, loaded.file);
      const progress = progressReporter(process.stderr, opts.json === true);
      let target;
      try {
        target = createDeliveryTarget(name, delivery, {
          baseDir: loaded.baseDir,
          store: name === 'audit-manager' ? pipelineContext(storePath(loaded, opts.store)).store : undefined,
          directory: opts.dir,
          runId: opts.run,
          dryRun: opts.dryRun,
        });
      } catch (err) {
        if (err instanceof DeliveryInputError) throw new UsageError(err.message);
        throw err;
      }
      try {
        const receipt = await deliver(target, opts.bundle, { now: cliClock(), onProgress: (p) => progress({ stage: 'deliver', ...p }) });
        const complete = deliveryComplete(receipt);
        process.stdout.write(opts.json ? JSON.stringify({ ok: complete, receipt }, null, 2) + '\n' : formatReceipt(receipt) + '\n');
        process.exitCode = complete ? DELIVER_EXIT.ok : DELIVER_EXIT.failed;
      } catch (err) {
        if (err instanceof DeliveryInputError) throw new UsageError(err.message);
        if (!(err instanceof DeliveryError)) throw err;
        if (opts.json) process.stdout.write(JSON.stringify({ ok: false, error: { target: err.target, code: err.code, message: err.message } }, null, 2) + '\n');
        process.stderr.write(`auditpack: deliver: ${err.message}\n`);
        process.exitCode = DELIVER_EXIT.failed;
      } finally {
        target.close?.();
      }
    });
}
