/**
 * End to end: `auditpack collect --live` (the real CLI in a child process, the real AWS SDK clients) against the
 * fake AWS (test/fake-aws), fed from the Northwind example export directory, compared with
 * `auditpack collect --source` of the same directory.
 *
 * Observation times: CLI outputs in an export directory are observed at their mtime, a live call at the run's
 * clock. The generator gives every `cli/**` file the mtime COLLECTION_TIME, and the live runs pin their clock to
 * the same instant with `AUDITPACK_FIXED_NOW` (src/cli/environment.ts), so equal facts get equal evidence ids.
 *
 * A collector not yet registered in src/collectors/live/registry.ts has its cases reported as todo.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../examples/northwind/generate.js';
import { ACCOUNTS, COLLECTION_TIME, MLDEV, PROD } from '../../examples/northwind/lib/common.js';
import { LIVE_COLLECTORS } from '../../src/collectors/live/registry.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import { FakeAws, type FakeStats, type FaultRule, type Identity } from '../fake-aws/server.js';
import { modelsAvailable } from '../fake-aws/smithy.js';
import { diffIds, ids, label, ROOT, runCli, storeItems, type CliRun } from './helpers.js';

const ALL_COLLECTORS = ['config', 'cloudtrail', 'bedrock', 'sagemaker', 'artifact'] as const;
const REGISTERED = new Set(LIVE_COLLECTORS.map((c) => c.id));
const EXTRA = resolve(ROOT, 'test/fixtures/fake-aws/export-extra');
const ROLE = 'AuditpackReadOnly';
const EXTERNAL_ID = 'northwind-audit-7f3c9e51';
const CALLER: Identity = {
  accessKeyId: 'AKIAFAKEAUDITPACK001',
  secretAccessKey: 'fake-secret-access-key-for-tests-only',
  account: PROD,
};

/** A collector's e2e case: a test when the collector is registered, a todo (with the reason) until then. */
function forCollector(id: string, name: string, fn: () => Promise<void> | void): void {
  if (REGISTERED.has(id)) it(`${id}: ${name}`, fn);
  else it.todo(`${id}: ${name} — the ${id} collector is not registered in src/collectors/live/registry.ts yet`);
}

function setMtimes(dir: string, at: Date): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) setMtimes(p, at);
    else utimesSync(p, at, at);
  }
}

interface LiveRun {
  readonly run: CliRun;
  readonly stats: FakeStats;
  readonly unfinished: string[];
  readonly items: EvidenceItem[];
}

describe.skipIf(!modelsAvailable())('auditpack collect --live against the fake AWS', () => {
  let root: string;
  let exportDir: string;
  let fake: FakeAws;
  let exported: EvidenceItem[];
  let clean: LiveRun;

  const liveArgs = (store: string, externalId = EXTERNAL_ID): string[] => [
    'collect',
    '--live',
    '--accounts',
    ACCOUNTS.join(','),
    '--role-name',
    ROLE,
    '--external-id',
    externalId,
    '--period',
    '2026-10',
    '--store',
    store,
    '--json',
  ];

  /** One live run (no --regions: the regions come from account:ListRegions) with fresh statistics and faults. */
  async function live(name: string, faults: readonly FaultRule[] = [], externalId = EXTERNAL_ID): Promise<LiveRun> {
    fake.resetStats();
    fake.setFaults(faults);
    const store = join(root, name);
    const run = await runCli(liveArgs(store, externalId), {
      ...fake.env(CALLER),
      AUDITPACK_FIXED_NOW: COLLECTION_TIME,
    });
    const out = {
      run,
      stats: structuredClone(fake.stats),
      unfinished: fake.unfinishedPaginations(),
      items: await storeItems(store),
    };
    fake.setFaults([]);
    return out;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'auditpack-e2e-'));
    exportDir = join(root, 'export');
    await generateExample(exportDir);
    // A PASSTHROUGH Artifact report (the example's are EXPLICIT, which the live collector rightly does not download).
    cpSync(EXTRA, exportDir, { recursive: true });
    setMtimes(join(exportDir, 'cli', PROD, 'global'), new Date(COLLECTION_TIME));
    fake = new FakeAws({
      exportDir,
      identities: [CALLER],
      roles: ACCOUNTS.map((a) => ({
        arn: `arn:aws:iam::${a}:role/${ROLE}`,
        externalId: EXTERNAL_ID,
        trustedAccounts: [PROD],
      })),
      pageSize: 2,
      // LookupEvents pages through thousands of events: AWS's own maximum keeps the run short.
      pageSizes: { 'cloudtrail:LookupEvents': 50, 'logs:FilterLogEvents': 25, 'account:ListRegions': 1 },
    });
    await fake.start();
    const src = await runCli(['collect', '--source', exportDir, '--store', join(root, 'export-store'), '--json'], {
      AUDITPACK_FIXED_NOW: COLLECTION_TIME,
    });
    expect(src.code, src.stderr).toBe(0);
    exported = await storeItems(join(root, 'export-store'));
    clean = await live('live-clean');
  }, 600_000);

  afterAll(async () => {
    await fake?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // The clean run

  it('collects every registered collector for both accounts, as roles assumed with the external id', () => {
    const summary = clean.run.json as {
      accounts: string[];
      byCollector: Record<string, { collected: number; errors: number }>;
      errors: string[];
      failed: boolean;
    };
    expect(summary, clean.run.stderr).not.toBeNull();
    expect(summary.accounts).toEqual([...ACCOUNTS]);
    for (const id of REGISTERED)
      expect(summary.byCollector[id]?.collected, `${id} collected nothing`).toBeGreaterThan(0);
    // Both accounts were reached through AssumeRole with the external id, and their data was asked for.
    const assumed = new Set(clean.stats.assumeRole.map((a) => `${a.roleArn} ${a.externalId ?? '-'} ${a.granted}`));
    expect([...assumed].sort()).toEqual(
      ACCOUNTS.map((a) => `arn:aws:iam::${a}:role/${ROLE} ${EXTERNAL_ID} true`).sort(),
    );
    expect(clean.stats.byAccount[PROD]).toBeGreaterThan(0);
    expect(clean.stats.byAccount[MLDEV]).toBeGreaterThan(0);
    // Regions came from account:ListRegions (no --regions flag).
    expect(clean.stats.requests['account:ListRegions']).toBeGreaterThan(0);
    // The only errors are the Artifact reports whose terms need explicit acceptance (by design, see artifact.ts).
    const errors = clean.items.filter((i) => i.status.state === 'error');
    expect(
      errors
        .filter(
          (i) =>
            !(i.kind === 'artifact.report' && i.status.state === 'error' && i.status.code === 'TermAcceptanceRequired'),
        )
        .map(label),
    ).toEqual([]);
    expect(clean.run.code).toBe(errors.length > 0 ? 1 : 0);
  });

  it('follows every pagination to its last page', () => {
    expect(clean.unfinished).toEqual([]);
    const followed = (op: string): number => clean.stats.tokensFollowed[op] ?? 0;
    expect(followed('account:ListRegions')).toBeGreaterThan(0);
    expect(followed('config:DescribeConfigRules')).toBeGreaterThan(0);
    expect(followed('config:DescribeComplianceByConfigRule')).toBeGreaterThan(0);
    expect(followed('config:SelectResourceConfig')).toBeGreaterThan(0);
    if (REGISTERED.has('cloudtrail')) {
      expect(followed('cloudtrail:LookupEvents')).toBeGreaterThan(0);
      expect(followed('s3:ListObjectsV2')).toBeGreaterThan(0);
    }
    if (REGISTERED.has('bedrock'))
      expect(followed('logs:FilterLogEvents') + followed('s3:ListObjectsV2')).toBeGreaterThan(0);
  });

  it('sends only signed requests that fit the Smithy models, and gets only responses that fit them', () => {
    expect(clean.stats.rejected).toEqual([]);
    expect(clean.stats.problems).toEqual([]);
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Live items = export-directory items

  /**
   * Export items that a live collection cannot see, each for a stated reason:
   * - log files that no current setting of the account delivers to any bucket (a single-region trail's account
   *   has logs of another region; Bedrock logs of a region whose logging is now off): the fake serves them nowhere;
   * - a Clarify bias report computed natively from `predictions.csv`, which exists only in an export directory.
   */
  function unreachable(i: EvidenceItem, placed: ReadonlySet<string>): string | null {
    const files = i.provenance.sources.flatMap((s) => (s.type === 'file' ? [s.path] : []));
    if (files.length > 0 && files.every((f) => f.startsWith('AWSLogs/') && !placed.has(f)))
      return 'log file in no bucket';
    if (
      i.kind === 'clarify.bias_report' &&
      files.length > 0 &&
      files.every((f) => /\/predictions\.(csv|jsonl)$|\/bias-config\.json$/.test(f))
    )
      return 'native bias report';
    return null;
  }

  function compare(collector: string): void {
    const placed = fake.estate.placedFiles();
    const a = exported.filter((i) => i.collector === collector && i.kind !== 'inventory');
    const b = clean.items.filter((i) => i.collector === collector && i.kind !== 'inventory');
    const d = diffIds(a, b);
    // Artifact: reports with acceptanceType EXPLICIT are an error item live (TermAcceptanceRequired), same resource.
    const explicitErrors = new Set(
      d.onlyLive
        .filter((i) => i.status.state === 'error' && i.status.code === 'TermAcceptanceRequired')
        .map((i) => i.resource),
    );
    const missing = d.onlyExport.filter(
      (i) => unreachable(i, placed) === null && !(i.kind === 'artifact.report' && explicitErrors.has(i.resource)),
    );
    const extra = d.onlyLive.filter((i) => !(i.status.state === 'error' && i.status.code === 'TermAcceptanceRequired'));
    expect(missing.map(label), `${collector}: in the export-directory collection, not in the live one`).toEqual([]);
    expect(extra.map(label), `${collector}: in the live collection, not in the export-directory one`).toEqual([]);
    expect(d.common).toBeGreaterThan(0);
    // Every export-directory inventory (collector/account/region) has its live counterpart.
    const liveInventory = new Set(
      clean.items.filter((i) => i.collector === collector && i.kind === 'inventory').map((i) => i.resource),
    );
    for (const inv of exported.filter((i) => i.collector === collector && i.kind === 'inventory'))
      expect(liveInventory.has(inv.resource), inv.resource ?? '').toBe(true);
  }

  for (const id of ALL_COLLECTORS)
    forCollector(id, 'the items collected live have the ids of the export-directory items', () => compare(id));

  // ---------------------------------------------------------------------------------------------------------------
  // Faults

  it('retries throttling, 5xx bursts, slow answers and a reset connection, and collects the same items', async () => {
    const faults: FaultRule[] = [
      { service: 'sts', operation: 'AssumeRole', fault: { type: 'throttle' }, times: 1 },
      { service: 'account', operation: 'ListRegions', fault: { type: 'tooManyRequests' }, times: 1 },
      { service: 'config', operation: 'DescribeConfigRules', fault: { type: 'throttle' }, times: 3 },
      { service: 'config', operation: 'SelectResourceConfig', fault: { type: 'server', status: 503 }, times: 2 },
      {
        service: 'config',
        operation: 'DescribeComplianceByConfigRule',
        fault: { type: 'server', status: 500 },
        times: 2,
        after: 1,
      },
      { service: 'config', operation: 'DescribeConfigurationRecorders', fault: { type: 'slow', ms: 300 }, times: 2 },
      {
        service: 'config',
        operation: 'GetComplianceDetailsByConfigRule',
        fault: { type: 'reset' },
        times: 1,
        after: 3,
      },
      { service: 'cloudtrail', operation: 'LookupEvents', fault: { type: 'throttle' }, times: 2, after: 2 },
      { service: 's3', operation: 'GetObject', fault: { type: 'throttle' }, times: 2, after: 5 },
      { service: 's3', operation: 'ListObjectsV2', fault: { type: 'reset' }, times: 1, after: 4 },
      { service: 'bedrock', operation: 'ListGuardrails', fault: { type: 'throttle' }, times: 2 },
      { service: 'logs', operation: 'FilterLogEvents', fault: { type: 'server', status: 503 }, times: 1 },
      { service: 'sagemaker', operation: 'ListModelCards', fault: { type: 'throttle' }, times: 2 },
      { service: 'sagemaker', operation: 'DescribeEndpoint', fault: { type: 'server', status: 500 }, times: 1 },
      { service: 'artifact', operation: 'ListReports', fault: { type: 'throttle' }, times: 1 },
      { service: 'artifact', operation: 'DownloadReport', fault: { type: 'reset' }, times: 1 },
    ];
    const r = await live('live-faults', faults);
    expect(r.stats.faults['config:DescribeConfigRules']).toBe(3);
    expect(r.stats.faults['config:SelectResourceConfig']).toBe(2);
    expect(r.stats.faults['config:GetComplianceDetailsByConfigRule']).toBe(1);
    expect(r.stats.faults['sts:AssumeRole']).toBe(1);
    for (const [svc, op] of [
      ['cloudtrail', 'cloudtrail:LookupEvents'],
      ['bedrock', 'bedrock:ListGuardrails'],
      ['sagemaker', 'sagemaker:ListModelCards'],
      ['artifact', 'artifact:ListReports'],
    ] as const) {
      if (REGISTERED.has(svc)) expect(r.stats.faults[op], op).toBeGreaterThan(0);
    }
    expect(r.stats.problems).toEqual([]);
    expect(r.run.code, r.run.stderr).toBe(clean.run.code);
    expect(ids(r.items)).toEqual(ids(clean.items));
  }, 600_000);

  it('records AccessDenied as error items and exit code 1, and still collects everything else', async () => {
    const denied: FaultRule[] = [
      { service: 'config', operation: 'DescribeConformancePacks', account: MLDEV, fault: { type: 'accessDenied' } },
    ];
    if (REGISTERED.has('sagemaker'))
      denied.push({
        service: 'sagemaker',
        operation: 'ListModelCards',
        account: PROD,
        region: 'eu-west-1',
        fault: { type: 'accessDenied' },
      });
    const r = await live('live-denied', denied);
    expect(r.run.code).toBe(1);
    const summary = r.run.json as {
      byCollector: Record<string, { collected: number; errors: number }>;
      errors: string[];
    };
    for (const id of REGISTERED) expect(summary.byCollector[id]?.collected, id).toBeGreaterThan(0);
    const errors = r.items.filter((i) => i.status.state === 'error' && i.status.code !== 'TermAcceptanceRequired');
    const expected = ['eu-west-1', 'us-east-1'].map(
      (region) => `config config.conformance_pack ${MLDEV}/${region} AccessDeniedException`,
    );
    if (REGISTERED.has('sagemaker'))
      expected.push(`sagemaker sagemaker.model_card ${PROD}/eu-west-1 AccessDeniedException`);
    expect(
      errors
        .map(
          (i) => `${i.collector} ${i.kind} ${i.account}/${i.region} ${i.status.state === 'error' ? i.status.code : ''}`,
        )
        .sort(),
    ).toEqual(expected.sort());
    expect(
      summary.errors.filter((e) => e.startsWith(`config ${MLDEV}/`) && e.includes('config:DescribeConformancePacks')),
    ).toHaveLength(2);
    // Everything else is what the clean run collected.
    const deniedKinds = new Set(errors.map((i) => `${i.account}/${i.region}/${i.kind}`));
    const untouched = (i: EvidenceItem): boolean =>
      i.kind !== 'inventory' && !deniedKinds.has(`${i.account}/${i.region}/${i.kind}`);
    expect(ids(r.items.filter(untouched))).toEqual(ids(clean.items.filter(untouched)));
  }, 600_000);

  it('assumes the role with the external id: a wrong one is refused and the run fails with exit code 1', async () => {
    const r = await live('live-wrong-external-id', [], 'not-the-agreed-external-id');
    expect(r.run.code).toBe(1);
    const summary = r.run.json as { accounts: string[]; errors: string[] };
    expect(summary.accounts).toEqual([]);
    for (const a of ACCOUNTS)
      expect(
        summary.errors.some((e) => e.startsWith(`account ${a}:`) && e.includes('AccessDenied')),
        a,
      ).toBe(true);
    expect(r.stats.assumeRole.length).toBeGreaterThan(0);
    expect(r.stats.assumeRole.every((c) => c.externalId === 'not-the-agreed-external-id' && !c.granted)).toBe(true);
    // Nothing was read from any account.
    expect(Object.keys(r.stats.requests).filter((k) => !k.startsWith('sts:'))).toEqual([]);
  }, 600_000);
});
