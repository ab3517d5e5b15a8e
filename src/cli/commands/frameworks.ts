import type { Command } from 'commander';
import { listFrameworkIds, loadFramework } from '../../frameworks/load.js';

export function registerFrameworks(program: Command): void {
  const fw = program.command('frameworks').description('List the framework catalogs');
  fw.command('list')
    .description('List frameworks with their control counts')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExit codes: 0 listed, 2 a framework file is invalid (the message names the file and the problem).')
    .action((opts: { json?: boolean }) => {
      const rows = listFrameworkIds().map((id) => {
        const { framework, sha256 } = loadFramework(id);
        const by = (a: string): number => framework.controls.filter((c) => c.automation === a).length;
        return { id, name: framework.name, version: framework.version, controls: framework.controls.length, full: by('full'), partial: by('partial'), manual: by('none'), sha256 };
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      for (const r of rows) process.stdout.write(`${r.id.padEnd(8)} ${r.name} (${r.version}): ${r.controls} controls (${r.full} automated, ${r.partial} partly, ${r.manual} manual)\n`);
    });
}
