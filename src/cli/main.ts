#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { FrameworkError } from '../frameworks/load.js';
import { AcceptedRisksError } from '../mappers/accepted-risks.js';
import { CollectionFailure } from '../aws/errors.js';
import { registerAssess } from './commands/assess.js';
import { registerCollect } from './commands/collect.js';
import { registerConfig } from './commands/config-check.js';
import { registerDemo } from './commands/demo.js';
import { registerFrameworks } from './commands/frameworks.js';
import { registerIamPolicy } from './commands/iam-policy.js';
import { registerKeys } from './commands/keys.js';
import { registerDeliver } from '../delivery/cli.js';
import { registerVerify } from './commands/verify.js';
import { registerPack } from './commands/pack.js';
import { registerSchema } from './commands/schema.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServe } from './commands/serve.js';
import { registerWorker } from './commands/worker.js';
import { generatorInfo, makeLogger } from './environment.js';
import { EXIT, UsageError } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command('auditpack')
    .version(generatorInfo().version)
    .description('Signed, verifiable audit evidence packs for AI workloads on AWS')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', '\nExit codes: 0 ok, 1 the work ran but found errors or failed a gate, 2 bad input (nothing changed), 3 unexpected failure.');
  registerCollect(program);
  registerAssess(program);
  registerPack(program);
  registerConfig(program);
  registerFrameworks(program);
  registerIamPolicy(program);
  registerSchema(program);
  registerKeys(program);
  registerVerify(program);
  registerDeliver(program);
  registerWorker(program);
  registerSchedule(program);
  registerServe(program);
  registerDemo(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof FrameworkError || err instanceof AcceptedRisksError) {
      process.stderr.write(`auditpack: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof CollectionFailure) {
      // The run could not start against AWS (no credentials, the caller's own identity refused or unreachable):
      // nothing was collected or stored, so this is the environment's fault, not an internal one.
      const hint =
        err.classified.code === 'CredentialsProviderError'
          ? ' (no AWS credentials: set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, or run with an instance or task role)'
          : '';
      process.stderr.write(`auditpack: ${err.message}${hint}\n`);
      return err.classified.code === 'CredentialsProviderError' ? EXIT.usage : EXIT.findings;
    }
    makeLogger().error({ err }, 'unexpected failure');
    process.stderr.write(`auditpack: unexpected failure: ${(err as Error).message}\n`);
    return EXIT.internal;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (invokedDirectly) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
