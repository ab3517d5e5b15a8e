import { readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import { verifyBundle, type VerifyReport } from '../../bundle/verify.js';
import { loadTrustAnchors } from '../../signing/chain.js';
import { SigningError } from '../../signing/types.js';
import { UsageError } from '../exit-codes.js';

/** Exit codes of `auditpack verify`. */
export const VERIFY_EXIT = { valid: 0, invalid: 1, unreadable: 2 } as const;

export function formatVerifyReport(r: VerifyReport): string {
  const lines = [`${r.status.toUpperCase()}  ${r.bundle}`];
  if (r.pack) lines.push(`  pack     ${r.pack.id}: ${r.pack.organisation}, ${r.pack.period.label}, generated ${r.pack.generatedAt} by ${r.pack.generator.name} ${r.pack.generator.version}`);
  if (r.signer) lines.push(`  signer   ${r.signer.subject} (issuer ${r.signer.issuer}; signed ${r.signer.signingTime ?? 'at an unstated time'})`);
  if (r.trustPath.length) lines.push(`  chain    ${r.trustPath.join(' <- ')}`);
  lines.push(`  files    ${r.files.verified}/${r.files.listed} verified`);
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  return lines.join('\n');
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Verify a signed evidence bundle offline, without extracting it: signatures, trust, every file hash, no missing or extra files')
    .argument('<bundle>', 'the bundle zip')
    .option('--trust <ca.pem>', 'CA certificate(s) to trust (PEM), obtained from the organisation out of band')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid (and trusted), 1 invalid (tampered, incomplete, or not trusted: give --trust), 2 unreadable or not a bundle, or bad flags.',
    )
    .action(async (bundle: string, opts: { trust?: string; json?: boolean }) => {
      let trust: X509Certificate[] | undefined;
      if (opts.trust) {
        try {
          trust = loadTrustAnchors(readFileSync(opts.trust, 'utf8'), opts.trust);
        } catch (err) {
          const detail = err instanceof SigningError ? err.message : `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
          throw new UsageError(`--trust ${opts.trust}: ${detail}`);
        }
      }
      const report = await verifyBundle(bundle, { trust });
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatVerifyReport(report) + '\n');
      process.exitCode = VERIFY_EXIT[report.status];
    });
}
