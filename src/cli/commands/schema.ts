import type { Command } from 'commander';
import { z } from 'zod';
import { AuditpackConfig } from '../../config/schema.js';
import { evidenceItemJsonSchema } from '../../evidence/model.js';
import { Framework } from '../../frameworks/schema.js';
import { UsageError } from '../exit-codes.js';

const SCHEMAS: Record<string, () => unknown> = {
  'evidence-item': evidenceItemJsonSchema,
  framework: () => z.toJSONSchema(Framework, { target: 'draft-2020-12', io: 'input' }),
  config: () => z.toJSONSchema(AuditpackConfig, { target: 'draft-2020-12', io: 'input' }),
};

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print a JSON Schema (2020-12): evidence-item, framework or config')
    .argument('<name>', Object.keys(SCHEMAS).join(' | '))
    .addHelpText('after', '\nExit codes: 0 printed, 2 unknown schema name.')
    .action((name: string) => {
      const make = SCHEMAS[name];
      if (!make) throw new UsageError(`schema: unknown name "${name}" (known: ${Object.keys(SCHEMAS).join(', ')})`);
      process.stdout.write(JSON.stringify(make(), null, 2) + '\n');
    });
}
