/**
 * Runs the fake AWS by hand, for debugging a collector against it:
 *
 *   node_modules/.bin/tsx test/fake-aws/run.ts EXPORT_DIR [--page-size N] [--external-id ID] > /tmp/fake-aws.env
 *   set -a; . /tmp/fake-aws.env; set +a
 *   AUDITPACK_FIXED_NOW=2026-11-01T06:00:00Z npx tsx src/cli/main.ts collect --live --regions eu-west-1 --store /tmp/s --json
 *
 * Prints the environment (endpoints and fake credentials of account 111122223333) on stdout, serves until
 * interrupted, then prints the request statistics on stderr. Roles `AuditpackReadOnly` exist in every account of
 * the export directory and require the external id given (default none).
 */
import { FakeAws } from './server.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!dir) {
  process.stderr.write(
    'usage: tsx test/fake-aws/run.ts EXPORT_DIR [--page-size N] [--external-id ID] [--account ACCT]\n',
  );
  process.exit(2);
}
const identity = {
  accessKeyId: 'AKIAFAKEAUDITPACK001',
  secretAccessKey: 'fake-secret-access-key-for-tests-only',
  account: flag('--account') ?? '111122223333',
};
const probe = new FakeAws({ exportDir: dir, identities: [identity] });
const externalId = flag('--external-id');
const fake = new FakeAws({
  exportDir: dir,
  identities: [identity],
  roles: probe.estate
    .accounts()
    .map((a) => ({ arn: `arn:aws:iam::${a}:role/AuditpackReadOnly`, ...(externalId ? { externalId } : {}) })),
  pageSize: Number(flag('--page-size') ?? 2),
});
await fake.start();
for (const [k, v] of Object.entries(fake.env(identity))) process.stdout.write(`${k}=${v}\n`);
process.stderr.write(`fake AWS on ${fake.url} serving ${dir}; Ctrl-C to stop\n`);
const stop = (): void => {
  process.stderr.write(JSON.stringify(fake.stats, null, 2) + '\n');
  void fake.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
