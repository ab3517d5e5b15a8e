/**
 * Generates the Northwind Health AI example export directory.
 *
 *   tsx scripts/generate-examples.ts [OUT_DIR] [--seed N] [--write-expected]
 *
 * OUT_DIR defaults to examples/northwind/export. The directory is replaced atomically: the tree is written to a
 * temporary sibling, then renamed into place. `--write-expected` also rewrites examples/northwind/expected-state.json.
 */
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { DEFAULT_SEED, expectedState, generateExample } from '../examples/northwind/generate.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUT = join(ROOT, 'examples', 'northwind', 'export');
const EXPECTED = join(ROOT, 'examples', 'northwind', 'expected-state.json');

interface Args {
  out: string;
  seed: number;
  writeExpected: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let out: string | undefined;
  let seed = DEFAULT_SEED;
  let writeExpected = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--seed') {
      const v = argv[++i];
      if (v === undefined || !/^-?\d+$/.test(v)) throw new Error('--seed needs an integer');
      seed = Number(v);
    } else if (a.startsWith('--seed=')) {
      const v = a.slice('--seed='.length);
      if (!/^-?\d+$/.test(v)) throw new Error('--seed needs an integer');
      seed = Number(v);
    } else if (a === '--write-expected') {
      writeExpected = true;
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: tsx scripts/generate-examples.ts [OUT_DIR] [--seed N] [--write-expected]\n');
      process.exit(0);
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else if (out === undefined) {
      out = a;
    } else {
      throw new Error(`unexpected argument ${a}`);
    }
  }
  return { out: resolve(out ?? DEFAULT_OUT), seed, writeExpected };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const parent = dirname(args.out);
  const tmp = join(parent, `.${basename(args.out)}.tmp-${process.pid}`);
  const old = join(parent, `.${basename(args.out)}.old-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  try {
    const result = await generateExample(tmp, { seed: args.seed });
    const hadOld = await exists(args.out);
    if (hadOld) await rename(args.out, old);
    await rename(tmp, args.out);
    if (hadOld) await rm(old, { recursive: true, force: true });
    if (args.writeExpected) {
      const options = (await resolveConfig(EXPECTED)) ?? {};
      await writeFile(EXPECTED, await format(JSON.stringify(expectedState(), null, 2), { ...options, parser: 'json' }));
    }
    const ms = Math.round(performance.now() - started);
    process.stdout.write(
      `wrote ${args.out}: ${result.files} files, ${result.events} CloudTrail events, ${result.invocations} Bedrock invocation records (seed ${args.seed}, ${ms} ms)\n`,
    );
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`generate-examples: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
