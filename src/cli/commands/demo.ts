import { existsSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { runPackInProcess } from '../../pipeline/in-process.js';
import { EXIT } from '../exit-codes.js';
import { newRunId, packageRoot, pipelineContext, resolveAsOf, resolvePeriod } from '../environment.js';
import { formatAssessmentSummary, formatCollectSummary } from '../format.js';
import { progressReporter } from '../progress.js';
import { generateExample } from '../../../examples/northwind/generate.js';
import { writeDevKeys } from '../../signing/dev-keys.js';
import { verifyBundle } from '../../bundle/verify.js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const DEMO_DIR = 'examples/northwind';

/**
 * The main job on the embedded default: generate the example estate (deterministic), collect it into a fresh
 * local store, assess SOC 2, HIPAA and GDPR, and write the pack. No Redis, no AWS.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the whole pipeline on the example estate (Northwind Health AI) and print a summary per framework')
    .option('--out <dir>', 'output directory', 'out/demo')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExit codes: 0 pack written and its bundle verified, 1 the bundle did not verify, 2 bad flags, 3 unexpected failure.')
    .action(async (opts: { out: string; json?: boolean }) => {
      const root = packageRoot();
      const exampleDir = path.join(root, DEMO_DIR);
      const exportDir = path.join(exampleDir, 'export');
      const progress = progressReporter(process.stderr, false);
      if (!existsSync(exportDir)) {
        progress({ stage: 'collect', done: 0, total: 1, detail: 'generating the example estate' });
        await generateExample(exportDir);
      }
      const outDir = path.resolve(opts.out);
      const storeDir = path.join(outDir, 'store');
      // A fresh store each time, so the summary reflects exactly the example estate.
      await fs.rm(storeDir, { recursive: true, force: true });
      const loaded = loadConfigFile(path.join(exampleDir, 'auditpack.yaml'));
      // Development keys only: the demo signs with a throwaway CA so an auditor's commands can be tried end to end.
      const keysDir = path.join(outDir, 'dev-keys');
      if (!existsSync(path.join(keysDir, 'signer.key'))) {
        await writeDevKeys({ dir: keysDir, organisation: loaded.config.organisation.name });
        process.stderr.write(`DEVELOPMENT KEYS created in ${keysDir}: for trying auditpack only, never for real packs.\n`);
      }
      const now = new Date();
      const bundlePath = path.join(outDir, 'bundle.zip');
      const outcome = await runPackInProcess(pipelineContext(storeDir, progress), loaded, {
        runId: newRunId(now),
        source: exportDir,
        frameworks: loaded.config.frameworks,
        period: resolvePeriod(undefined, loaded, now),
        assessedAt: resolveAsOf(undefined, loaded, now),
        outDir,
        bundlePath,
        signer: { type: 'local', key: path.join(keysDir, 'signer.key'), certificates: path.join(keysDir, 'signer-chain.pem') },
      });
      const trust = new X509Certificate(readFileSync(path.join(keysDir, 'dev-ca.pem')));
      const verified = await verifyBundle(bundlePath, { trust: [trust] });
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(
            { collect: outcome.collect?.summary, frameworks: outcome.assessment.frameworks.map((f) => ({ id: f.id, counts: f.counts })), files: outcome.render.files, bundle: outcome.bundle, verify: verified },
            null,
            2,
          ) + '\n',
        );
      } else {
        if (outcome.collect) process.stdout.write(formatCollectSummary(outcome.collect.summary) + '\n\n');
        process.stdout.write(formatAssessmentSummary(outcome.assessment) + '\n\n');
        for (const f of outcome.render.files) process.stdout.write(`wrote ${path.relative(process.cwd(), f) || f}\n`);
        const rel = (f: string): string => path.relative(process.cwd(), f) || f;
        process.stdout.write(`wrote ${rel(bundlePath)} (signed; ${verified.files.verified} files)\n`);
        process.stdout.write(`verify: ${verified.status} — auditpack verify ${rel(bundlePath)} --trust ${rel(path.join(keysDir, 'dev-ca.pem'))}\n`);
      }
      process.exitCode = verified.status === 'valid' ? EXIT.ok : EXIT.findings;
    });
}
