#!/usr/bin/env node
/**
 * The worker entry point: `tsx worker/index.ts [--queues collect,pack,deliver] [--concurrency N] ...` (the same
 * options as `auditpack worker`). Runs until SIGTERM/SIGINT, then closes gracefully (`await worker.close()`).
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../src/config/load.js';
import { workerCommand } from '../src/cli/commands/worker.js';
import { EXIT, UsageError } from '../src/cli/exit-codes.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

try {
  await workerCommand('auditpack-worker').exitOverride().parseAsync(process.argv);
  process.exitCode = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else if (err instanceof UsageError || err instanceof ConfigError) {
    process.stderr.write(`auditpack-worker: ${err.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`auditpack-worker: unexpected failure: ${(err as Error).message}\n`);
    process.exitCode = EXIT.internal;
  }
}
