/**
 * Deterministic generator of the Northwind Health AI example estate, written in the real AWS file formats that
 * `auditpack collect --source DIR` reads (docs/export-directory.md).
 *
 * Same seed → byte-identical tree (contents and mtimes). The planted state (STATE.md, expected-state.json) does not
 * depend on the seed; the seed only changes the background CloudTrail noise and how it is cut into files.
 */
import { mkdir } from 'node:fs/promises';
import { ACCOUNTS, COLLECTION_MS, DEFAULT_SEED, EU, GUARDRAILS, MLDEV, PROD, REGIONS } from './lib/common.js';
import { cliJson, gzipDeterministic, TreeWriter } from './lib/io.js';
import { trailCli, writeCloudTrailLogs } from './lib/cloudtrail.js';
import {
  invocationEvents,
  invocationLogFiles,
  loggingConfiguration,
  planInvocations,
  prodGuardrail,
} from './lib/bedrock.js';
import { plantedChanges } from './lib/planted.js';
import { sagemakerCli, sagemakerEvents } from './lib/sagemaker.js';
import { configCli, configSnapshot } from './lib/config.js';
import { churnPredictionsCsv } from './lib/clarify.js';
import { clarifyAnalysisBytes } from './lib/templates.js';
import { ARTIFACT_REPORTS, reportMetadata, reportPdf } from './lib/artifact.js';

export { expectedState } from './lib/state.js';
export { DEFAULT_SEED } from './lib/common.js';

export interface GenerateOptions {
  readonly seed?: number;
}

export interface GenerateResult {
  /** Files written. */
  readonly files: number;
  /** CloudTrail records across all log files. */
  readonly events: number;
  /** Bedrock model-invocation log records across all log files. */
  readonly invocations: number;
}

export async function generateExample(outDir: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${String(seed)}`);
  await mkdir(outDir, { recursive: true });
  const w = new TreeWriter(outDir);

  // CloudTrail: seeded background + the fixed AI activity and planted changes.
  const invocations = planInvocations();
  const fixed = [...plantedChanges().map((c) => c.spec), ...sagemakerEvents(), ...invocationEvents(invocations)];
  const ct = await writeCloudTrailLogs(w, seed, fixed);

  // Bedrock model-invocation logs.
  let logged = 0;
  for (const f of invocationLogFiles(invocations)) {
    await w.write(f.rel, gzipDeterministic(f.content), f.mtimeMs);
    logged += f.records;
  }

  // AWS Config snapshots.
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const snap = configSnapshot(account, region);
      await w.write(snap.rel, gzipDeterministic(snap.content), snap.mtimeMs);
    }
  }

  // AWS CLI outputs, observed at the collection time (their mtime).
  const t = COLLECTION_MS;
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const base = `cli/${account}/${region}`;
      if (region === EU) for (const f of trailCli(account)) await w.cli(`${base}/cloudtrail/${f.name}`, f.value, t);
      for (const f of configCli(account, region)) await w.cli(`${base}/configservice/${f.name}`, f.value, t);
      await w.cli(
        `${base}/bedrock/get-model-invocation-logging-configuration.json`,
        loggingConfiguration(account, region),
        t,
      );
      if (account === PROD && region === EU)
        await w.cli(`${base}/bedrock/get-guardrail.${GUARDRAILS.prod.id}.json`, prodGuardrail(), t);
      if (region === EU) for (const f of sagemakerCli(account)) await w.cli(`${base}/sagemaker/${f.name}`, f.value, t);
      else await w.dir(`${base}/sagemaker`, t);
    }
  }

  // Clarify.
  await w.write(`clarify/${PROD}/${EU}/credit-risk/analysis.json`, clarifyAnalysisBytes(), t);
  await w.write(`clarify/${MLDEV}/${EU}/churn/predictions.csv`, churnPredictionsCsv(), t);

  // AWS Artifact.
  for (const r of ARTIFACT_REPORTS) {
    await w.write(`cli/${PROD}/global/artifact/get-report-metadata.${r.id}.json`, cliJson(reportMetadata(r)), t);
    await w.write(`cli/${PROD}/global/artifact/get-report.${r.id}.pdf`, reportPdf(r), t);
  }

  return { files: w.files, events: ct.events, invocations: logged };
}
