import type { Command } from 'commander';
import { iamPolicyFor } from '../../collectors/iam-policy.js';
import { selectCollectors } from '../../collectors/live/registry.js';
import { UsageError } from '../exit-codes.js';

export function registerIamPolicy(program: Command): void {
  program
    .command('iam-policy')
    .description('Print the read-only IAM policy the live collectors need (generated from their declarations)')
    .option('--collectors <ids>', 'comma-separated collector ids (default: all)')
    .addHelpText('after', '\nAttach it to the role auditpack assumes in each account. Exit codes: 0 printed, 2 unknown collector.')
    .action((opts: { collectors?: string }) => {
      let collectors;
      try {
        collectors = selectCollectors(opts.collectors?.split(',').map((s) => s.trim()).filter(Boolean));
      } catch (err) {
        throw new UsageError(`--collectors: ${(err as Error).message}`);
      }
      process.stdout.write(JSON.stringify(iamPolicyFor(collectors), null, 2) + '\n');
    });
}
