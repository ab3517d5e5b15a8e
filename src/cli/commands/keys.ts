import path from 'node:path';
import type { Command } from 'commander';
import { writeDevKeys } from '../../signing/dev-keys.js';
import { SigningError } from '../../signing/types.js';
import { EXIT, UsageError } from '../exit-codes.js';

const BANNER = [
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  '!!  DEVELOPMENT KEYS ONLY: NOT FOR REAL AUDITS                            !!',
  '!!  The CA private key lies next to the signing key, so a bundle signed   !!',
  '!!  with these proves nothing to an auditor. For real packs use a         !!',
  '!!  certificate from your company CA or AWS Private CA, ideally for an    !!',
  '!!  AWS KMS key (signing.type: kms). See docs/bundle.md.                  !!',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
].join('\n');

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Manage signing keys for evidence bundles');
  keys
    .command('init')
    .description('Create a DEVELOPMENT CA and a signing certificate (key files mode 0600), and print the signing config to use')
    .option('--dir <dir>', 'directory for the keys', '.auditpack/dev-keys')
    .option('--key-type <type>', 'rsa (RSA-3072) or ec (P-256)', 'rsa')
    .option('--organisation <name>', 'organisation name in the certificates', 'auditpack development')
    .option('--force', 'replace existing development keys in --dir')
    .option('--json', 'print the created files as JSON')
    .addHelpText('after', '\nExit codes: 0 keys written, 2 bad flags or keys already exist (nothing changed), 3 unexpected failure.')
    .action(async (opts: { dir: string; keyType: string; organisation: string; force?: boolean; json?: boolean }) => {
      if (opts.keyType !== 'rsa' && opts.keyType !== 'ec') throw new UsageError(`--key-type: expected rsa or ec, got "${opts.keyType}"`);
      if (!opts.organisation.trim()) throw new UsageError('--organisation: give a name');
      process.stderr.write(`${BANNER}\n`);
      let files;
      try {
        files = await writeDevKeys({ dir: opts.dir, organisation: opts.organisation.trim(), keyType: opts.keyType, force: opts.force });
      } catch (err) {
        if (err instanceof SigningError) throw new UsageError(`keys init: ${err.message}`);
        throw err;
      }
      const rel = (p: string): string => path.relative(process.cwd(), p) || p;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ development: true, ...files }, null, 2) + '\n');
      } else {
        process.stdout.write(
          [
            `Development CA certificate (give this to whoever verifies, as trusted-ca.pem): ${rel(files.caCertificate)}`,
            `Development CA key (mode 0600):                                                 ${rel(files.caKey)}`,
            `Signing key (mode 0600):                                                        ${rel(files.signerKey)}`,
            `Signing certificate chain:                                                      ${rel(files.signerChain)}`,
            `Signer: ${files.subject}, valid until ${files.notAfter}`,
            '',
            'Add to auditpack.yaml (paths relative to that file):',
            'signing:',
            '  type: local',
            `  key: ${rel(files.signerKey)}`,
            `  certificates: ${rel(files.signerChain)}`,
            '',
          ].join('\n'),
        );
      }
      process.stderr.write('auditpack: these keys are for DEVELOPMENT ONLY.\n');
      process.exitCode = EXIT.ok;
    });
}
