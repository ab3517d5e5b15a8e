// AWS, through the local fake endpoint (test/fake-aws): `auditpack collect --live` (the real CLI, the real SDK
// clients) against the Northwind estate with faults injected, each run followed by a fault-free rerun into the
// same store, which resumes from the checkpoints the first run left. Every faulty run completes or fails with a
// named cause (every error item carries an AWS error code or IncompleteDownload, never an unknown one), and after
// the rerun the store's collected items equal the fault-free baseline run: 0 lost, 0 duplicated (a truncated
// download stored as evidence would show as an item the baseline does not have).
import { cpSync, readdirSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../examples/northwind/generate.js';
import { ACCOUNTS, COLLECTION_TIME, PROD } from '../../examples/northwind/lib/common.js';

// One account (its role assumed with the external id), every collector, the regions from account:ListRegions: the
// SDK's adaptive retry slows a throttled client right down, so the scope is kept to what a few minutes allow.
import { FakeAws, type FakeStats, type FaultRule, type Identity } from '../fake-aws/server.js';
import { modelsAvailable } from '../fake-aws/smithy.js';
import { ROOT, runCli, storeItems, type CliRun } from '../e2e/helpers.js';
import { removeTempDirs, tempDir } from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { faultSeed } from './lib/seeded-random.js';
import { auditStore, type StoreAudit } from './lib/store-audit.js';

const SEED = faultSeed(8_401);
const EXTRA = resolve(ROOT, 'test/fixtures/fake-aws/export-extra');
const ROLE = 'AuditpackReadOnly';
const EXTERNAL_ID = 'northwind-audit-7f3c9e51';
const CALLER: Identity = { accessKeyId: 'AKIAFAKEAUDITPACK001', secretAccessKey: 'fake-secret-access-key-for-tests-only', account: PROD };
const SERVICES = ['sts', 'account', 'config', 'cloudtrail', 's3', 'bedrock', 'logs', 'sagemaker', 'artifact'] as const;
/** Error codes an item may carry after a faulty run: the injected faults' names, the download check, and the example's own. */
const NAMED_CAUSES = /^(ThrottlingException|Throttling|SlowDown|TooManyRequestsException|InternalFailure|InternalServerException|InternalError|ServiceUnavailable(Exception)?|IncompleteDownload|ECONNRESET|TermAcceptanceRequired|[A-Z][A-Za-z]+(Exception|Error|Required|Denied))$/;

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
  readonly audit: StoreAudit;
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Collected (not error) items other than inventories, by id: "collector/kind/account/region resource". */
  readonly evidence: ReadonlyMap<string, string>;
  /** Ids of the inventory items: what a run counted, so a run with gaps has other inventories by design. */
  readonly inventories: ReadonlySet<string>;
}

describe.skipIf(!modelsAvailable())('AWS faults through the fake endpoint', () => {
  let root: string;
  let fake: FakeAws;
  let clean: LiveRun;

  async function live(store: string, faults: readonly FaultRule[] = []): Promise<LiveRun> {
    fake.resetStats();
    fake.setFaults(faults, SEED);
    const run = await runCli(
      ['collect', '--live', '--accounts', PROD, '--role-name', ROLE, '--external-id', EXTERNAL_ID, '--period', '2026-10', '--store', store, '--json'],
      { ...fake.env(CALLER), AUDITPACK_FIXED_NOW: COLLECTION_TIME },
      300_000,
    );
    const stats = structuredClone(fake.stats);
    fake.setFaults([]);
    const errorCodes: Record<string, number> = {};
    const evidence = new Map<string, string>();
    const inventories = new Set<string>();
    for (const item of await storeItems(store)) {
      if (item.status.state === 'error') errorCodes[item.status.code] = (errorCodes[item.status.code] ?? 0) + 1;
      else if (item.kind === 'inventory') inventories.add(item.id);
      else evidence.set(item.id, `${item.collector}/${item.kind}/${item.account}/${item.region} ${JSON.stringify(item.resource).slice(0, 160)}`);
    }
    return { run, stats, audit: await auditStore(store), errorCodes, evidence, inventories };
  }

  /** The faulty run, then a clean rerun into the same store; asserts and records the outcome. */
  async function scenario(id: string, name: string, what: string, faults: readonly FaultRule[], minFaults: number): Promise<void> {
    const store = join(root, name);
    const faulty = await live(store, faults);
    const fired = Object.values(faulty.stats.faults).reduce((a, b) => a + b, 0);
    expect(fired, JSON.stringify(faulty.stats.faults)).toBeGreaterThanOrEqual(minFaults);
    // Completes (0) or fails with findings (1): never an unexpected failure, never a crash.
    expect([0, 1], faulty.run.stderr.slice(-3000)).toContain(faulty.run.code);
    expect(faulty.run.stderr).not.toMatch(/unexpected failure|UnknownError/);
    for (const code of Object.keys(faulty.errorCodes)) expect(code).toMatch(NAMED_CAUSES);
    expect(faulty.audit.corrupt).toEqual([]);
    expect(faulty.audit.stray).toEqual([]);
    expect(faulty.audit.tmpFiles).toEqual([]);
    expect(faulty.stats.problems).toEqual([]);
    // Whatever the faulty run stored as collected evidence is in the baseline: nothing truncated or half-read was kept.
    // (Inventories count what a run collected: a run with gaps has other inventories, by design; they are counted.)
    const bogus = [...faulty.evidence].filter(([x]) => !clean.evidence.has(x)).map(([, what]) => what);
    expect(bogus).toEqual([]);

    const rerun = await live(store);
    expect(rerun.run.code, rerun.run.stderr.slice(-3000)).toBe(clean.run.code);
    expect(rerun.audit.corrupt).toEqual([]);
    expect(rerun.audit.tmpFiles).toEqual([]);
    const lost = [...clean.evidence].filter(([x]) => !rerun.evidence.has(x)).map(([, what]) => what);
    const duplicated = [...rerun.evidence].filter(([x]) => !clean.evidence.has(x)).map(([, what]) => what);
    expect({ lost, duplicated }).toEqual({ lost: [], duplicated: [] });
    // Inventories count what each run read: the resumed rerun reads less (its checkpoints), so they differ by design.
    const otherInventories = [...rerun.inventories].filter((x) => !clean.inventories.has(x)).length;
    const getObjects = (s: FakeStats): number => s.requests['s3:GetObject'] ?? 0;
    const errorItems = Object.values(faulty.errorCodes).reduce((a, b) => a + b, 0) - (clean.errorCodes['TermAcceptanceRequired'] ?? 0);
    process.stderr.write(
      `aws ${id}: exit ${faulty.run.code}, faults ${JSON.stringify(faulty.stats.faults)}, error items ${JSON.stringify(faulty.errorCodes)}; rerun GetObject ${getObjects(rerun.stats)} (clean ${getObjects(clean.stats)})\n`,
    );

    recordOutcome({
      id: `aws/${id}`,
      group: 'AWS',
      scenario: `\`collect --live\` (one account through its role, every collector and region) against the fake AWS with ${what} (seed ${SEED}), then a fault-free rerun into the same store.`,
      expected: 'The faulty run exits 0 or 1, every error item names its cause, nothing collected differs from the baseline (no truncated download kept); the rerun resumes from the checkpoints and the collected items equal the fault-free baseline.',
      runs: 2,
      lost: lost.length,
      duplicated: duplicated.length,
      crashes: 0,
      leaks: 0,
      extra: {
        'faults fired': fired,
        'faulty run exit code': faulty.run.code ?? -1,
        'error items with a named cause': Math.max(0, errorItems),
        'S3 objects read by the rerun': getObjects(rerun.stats),
        'S3 objects read by a clean run': getObjects(clean.stats),
        'collected items (without inventories)': clean.evidence.size,
        'inventories unlike the baseline (partial or resumed runs count less)': otherInventories,
      },
    });
  }

  beforeAll(async () => {
    root = tempDir('auditpack-fault-aws-');
    const exportDir = join(root, 'export');
    await generateExample(exportDir);
    cpSync(EXTRA, exportDir, { recursive: true });
    setMtimes(join(exportDir, 'cli', PROD, 'global'), new Date(COLLECTION_TIME));
    fake = new FakeAws({
      exportDir,
      identities: [CALLER],
      roles: ACCOUNTS.map((a) => ({ arn: `arn:aws:iam::${a}:role/${ROLE}`, externalId: EXTERNAL_ID, trustedAccounts: [PROD] })),
      pageSize: 2,
      pageSizes: { 'cloudtrail:LookupEvents': 50, 'logs:FilterLogEvents': 25, 'account:ListRegions': 1 },
      faultSeed: SEED,
    });
    await fake.start();
    clean = await live(join(root, 'baseline'));
    expect([0, 1]).toContain(clean.run.code);
    expect(clean.audit.okIds.length).toBeGreaterThan(200);
  }, 600_000);

  afterAll(async () => {
    await fake?.stop();
    removeTempDirs();
  });

  it('30 % ThrottlingException on every service, bursts of 500/503, slow answers', async () => {
    const faults: FaultRule[] = [
      ...SERVICES.map((service) => ({ service, operation: '*', fault: { type: 'throttle' } as const, chance: 0.3, times: 12 })),
      ...SERVICES.flatMap((service, i) => [
        { service, operation: '*', fault: { type: 'server', status: 500 } as const, times: 3, after: 2 + i },
        { service, operation: '*', fault: { type: 'server', status: 503 } as const, times: 3, after: 12 + i },
        { service, operation: '*', fault: { type: 'slow', ms: 400 } as const, chance: 0.05 },
      ]),
    ];
    await scenario('throttle-30pct-5xx-bursts-slow', 'throttled', '30 % ThrottlingException on the requests of every service (up to 12 per service), bursts of three 500s and three 503s per service, 5 % of requests answered 400 ms late', faults, 50);
  }, 600_000);

  it('connection resets mid-body, and a presigned Artifact download that stops halfway every time', async () => {
    const faults: FaultRule[] = [
      // Half the body then a TCP reset: S3 log objects (some reads), Config and SageMaker answers...
      { service: 's3', operation: 'GetObject', fault: { type: 'reset' }, chance: 0.3 },
      { service: 'config', operation: '*', fault: { type: 'reset' }, times: 2, after: 3 },
      { service: 'sagemaker', operation: '*', fault: { type: 'reset' }, times: 2, after: 5 },
      // ...and the Artifact report PDF (a presigned URL) never arrives whole in this run.
      { service: 'artifact', operation: 'DownloadReport', fault: { type: 'reset' } },
    ];
    await scenario('reset-mid-body-presigned-halfway', 'resets', 'TCP resets after half the body on 30 % of S3 GetObject, on some Config and SageMaker answers, and on every presigned Artifact report download', faults, 5);
  }, 600_000);
});
