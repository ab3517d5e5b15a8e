import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfigFile } from '../../config/load.js';
import { loadFramework } from '../../frameworks/load.js';
import { parsePeriod } from '../../util/time.js';
import { assessJobFrom } from '../../pipeline/in-process.js';
import { EXIT } from '../exit-codes.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('Work with auditpack.yaml');
  config
    .command('check')
    .description('Validate a config file, the frameworks it names and its exceptions file')
    .argument('<file>', 'config file')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid (the problems name the key and what is wrong).')
    .action((file: string, opts: { json?: boolean }) => {
      const problems: string[] = [];
      try {
        const loaded = loadConfigFile(path.resolve(file));
        for (const id of loaded.config.frameworks) {
          try {
            loadFramework(id);
          } catch (err) {
            problems.push(`frameworks: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        if (loaded.config.period) {
          try {
            parsePeriod(loaded.config.period);
          } catch (err) {
            problems.push(`period: ${(err as Error).message}`);
          }
        }
        try {
          assessJobFrom(loaded, { runId: 'check', frameworks: [], period: '2000-01', assessedAt: new Date(0).toISOString() });
        } catch (err) {
          problems.push(`exceptions: ${(err as Error).message}`);
        }
      } catch (err) {
        if (err instanceof ConfigError) problems.push(...err.problems);
        else problems.push((err as Error).message);
      }
      if (opts.json) process.stdout.write(JSON.stringify({ file, valid: problems.length === 0, problems }, null, 2) + '\n');
      else process.stdout.write(problems.length === 0 ? `${file}: valid\n` : `${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      process.exitCode = problems.length === 0 ? EXIT.ok : EXIT.findings;
    });
}
