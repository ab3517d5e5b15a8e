// Hostile and broken input on the other input paths: config files, CLI flags, BullMQ job payloads (forged in
// Redis: the processors are called with them directly), and bundles given to `verify`. One table per path; each
// case asserts the exact message (it names the input and the problem), that nothing crashed (a typed error, or
// exit 2 / 1 as documented, never 3 or a stack trace), and that the store holds exactly what it held before.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiSection } from '../../src/api/config.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import { bundleStage } from '../../src/pipeline/bundle-stage.js';
import { loadQueueAwareConfig, type QueueAwareConfig } from '../../src/queue/config.js';
import { workerDeps } from '../../src/queue/deps.js';
import { collectProcessor, deliverProcessor, packProcessor, type ProcessorDeps } from '../../src/queue/processors.js';
import type { QueueHandles } from '../../src/queue/queues.js';
import { QueueSection, SchedulesSection } from '../../src/queue/settings.js';
import { collectExportDir } from '../../src/sources/export-dir/index.js';
import { devSigner, makePack } from '../fixtures/bundle/pack.js';
import { readZip } from '../bundle/helpers.js';
import { recordOutcome } from './outcomes.js';
import {
  crashed,
  filesUnder,
  hostileTemp,
  lostRecords,
  put,
  rawZip,
  removeHostileTemps,
  runAuditpackBatch,
  snapshotStore,
  sparseFile,
  type CliResult,
} from './lib/hostile-kit.js';

const A = '111122223333';
let tmp: string;
let storeDir: string;
let store: LocalDirectoryStore;
let goodExport: string;

beforeAll(async () => {
  tmp = hostileTemp('hostile-paths');
  storeDir = path.join(tmp, 'store');
  store = new LocalDirectoryStore(storeDir, { fsync: false });
  goodExport = path.join(tmp, 'exports', 'good');
  put(
    goodExport,
    `cli/${A}/eu-west-1/configservice/describe-configuration-recorder-status.json`,
    JSON.stringify({ ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'SUCCESS' }] }),
  );
  put(goodExport, `cli/${A}/eu-west-1/sagemaker/.keep`, '');
  await collectExportDir(
    { store, now: () => new Date('2026-11-01T00:00:00Z'), collectorVersion: 'faults', callerIdentity: null },
    goodExport,
  );
  expect(snapshotStore(storeDir).records.size).toBeGreaterThan(0);
}, 120_000);

afterAll(() => removeHostileTemps());

// ------------------------------------------------------------------------------------------------ config files

interface ConfigCase {
  readonly id: string;
  readonly make: (file: string) => void;
  /** One of the ConfigError's problems, exactly (string) or by pattern. */
  readonly problem: string | RegExp;
  /** Loaded by the queue-aware loader (worker, serve, schedule) instead of the plain one. */
  readonly queueAware?: boolean;
}

const LAUGHS =
  [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`),
  ].join('\n') + '\n';
const ORG = 'organisation: { name: Northwind Health AI }\n';
const CONFIG_CASES: ConfigCase[] = [
  {
    id: 'invalid-yaml',
    make: (f) => writeFileSync(f, 'organisation: {name: ['),
    problem:
      /^not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \] at line 1, column 23/,
  },
  {
    id: 'yaml-alias-bomb',
    make: (f) => writeFileSync(f, ORG + LAUGHS),
    problem: 'not valid YAML: Excessive alias count indicates a resource exhaustion attack',
  },
  {
    id: 'deeply-nested-yaml',
    make: (f) => writeFileSync(f, `organisation:\n  name: ${'['.repeat(20000)}${']'.repeat(20000)}\n`),
    problem: /^not valid YAML: Maximum call stack size exceeded at line 2/,
  },
  {
    id: 'duplicate-keys',
    make: (f) => writeFileSync(f, ORG + ORG),
    problem: /^not valid YAML: Map keys must be unique at line 2, column 1/,
  },
  {
    id: 'unknown-key',
    make: (f) => writeFileSync(f, ORG + 'frobnicate: 1\n'),
    problem: '(top level): unknown key(s) "frobnicate"',
  },
  {
    id: 'redis-password-inline',
    make: (f) => writeFileSync(f, ORG + 'queue: { redis: { password: s3cret } }\n'),
    problem: 'queue.redis: unknown key(s) "password"',
    queueAware: true,
  },
  {
    id: 'redis-password-env-not-a-name',
    make: (f) => writeFileSync(f, ORG + 'queue: { redis: { passwordEnv: "$(cat /etc/shadow)" } }\n'),
    problem: 'queue.redis.passwordEnv: expected an environment variable name',
    queueAware: true,
  },
  {
    id: 'api-token-in-plaintext',
    make: (f) =>
      writeFileSync(
        f,
        ORG + 'api: { tokens: [{ name: olivia, role: officer, hash: "kP3x9-plaintext-token-0123456789abcdef" }] }\n',
      ),
    problem:
      'api.tokens.0.hash: a hashed token: sha256:<64 hex> or scrypt:N:r:p:salt:hash (auditpack serve --hash-token); never the token itself',
    queueAware: true,
  },
  {
    id: 'allowed-paths-wrong-type',
    make: (f) => writeFileSync(f, ORG + 'queue: { allowedPaths: /tmp }\n'),
    problem: /^queue\.allowedPaths: /,
    queueAware: true,
  },
  {
    id: 'invalid-utf8',
    make: (f) =>
      writeFileSync(
        f,
        Buffer.concat([Buffer.from('organisation: { name: "North'), Buffer.from([0xff, 0xfe]), Buffer.from('" }\n')]),
      ),
    problem: 'is not valid UTF-8',
  },
  {
    id: 'one-gigabyte',
    make: (f) => void sparseFile(f, 1024 * 1024 * 1024),
    problem: 'is 1073741824 bytes, more than the 1048576-byte limit for a config file',
  },
  { id: 'fifo', make: (f) => execFileSync('mkfifo', [f]), problem: 'cannot read: not a regular file' },
  { id: 'directory', make: (f) => mkdirSync(f), problem: /^cannot read: (EISDIR|not a regular file)$/ },
  { id: 'missing', make: () => undefined, problem: 'cannot read: ENOENT' },
];

describe('config files', () => {
  it.each(CONFIG_CASES.map((c) => [c.id, c] as const))(
    '%s: a ConfigError naming the file and the problem',
    (_id, c) => {
      const file = path.join(hostileTemp('hostile-config'), 'auditpack.yaml');
      c.make(file);
      const t0 = performance.now();
      let err: unknown = null;
      try {
        if (c.queueAware) loadQueueAwareConfig(file, {});
        else loadConfigFile(file);
      } catch (e) {
        err = e;
      }
      const ms = performance.now() - t0;
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.file).toBe(file);
      expect(e.message.startsWith(`config ${file} is invalid:`)).toBe(true);
      if (typeof c.problem === 'string') expect(e.problems).toContain(c.problem);
      else
        expect(
          e.problems.some((p) => (c.problem as RegExp).test(p)),
          e.problems.join('\n'),
        ).toBe(true);
      expect(ms).toBeLessThan(5000);
      recordOutcome({
        id: `hostile-input/config/${c.id}`,
        group: 'Hostile input',
        scenario: `Config file: ${c.id.replace(/-/g, ' ')}${c.queueAware ? ' (queue-aware loader of worker/serve/schedule)' : ''}.`,
        expected:
          'A ConfigError naming the file and the key/problem; no crash; refused in < 5 s without reading a huge file.',
        runs: 1,
        lost: 0,
        duplicated: 0,
        crashes: 0,
        leaks: 0,
        extra: { ms: Math.round(ms) },
      });
    },
  );

  it('the CLI: config check exits 1 and names the problem; a command given a bad --config exits 2, store untouched', async () => {
    const bad = path.join(hostileTemp('hostile-config-cli'), 'auditpack.yaml');
    writeFileSync(bad, ORG + LAUGHS);
    const huge = sparseFile(path.join(path.dirname(bad), 'huge.yaml'), 1024 * 1024 * 1024);
    const before = snapshotStore(storeDir);
    const badPeriod = path.join(path.dirname(bad), 'period.yaml');
    writeFileSync(badPeriod, ORG + 'period: last month\n');
    const [check, run, period] = await runAuditpackBatch(
      [
        ['config', 'check', bad],
        ['collect', '--source', goodExport, '--config', huge],
        ['config', 'check', badPeriod],
      ],
      { env: { AUDITPACK_STORE: storeDir } },
    );
    expect(period!.code).toBe(1);
    expect(period!.stdout).toMatch(/^ {2}- period: period "last month": expected YYYY-MM/m);
    if (!check || !run) throw new Error('batch');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('not valid YAML: Excessive alias count indicates a resource exhaustion attack');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `auditpack: config ${huge} is invalid:\n  - is 1073741824 bytes, more than the 1048576-byte limit for a config file\n`,
    );
    expect(crashed(check) || crashed(run)).toBe(false);
    expect(lostRecords(before, snapshotStore(storeDir))).toEqual([]);
    expect(snapshotStore(storeDir).records.size).toBe(before.records.size);
  }, 60_000);
});

// --------------------------------------------------------------------------------------------------- CLI flags

interface FlagCase {
  readonly id: string;
  readonly args: (dirs: { store: string; tmp: string }) => string[];
  readonly code: number;
  /** Exactly this on stderr (one line), or a pattern. */
  readonly stderr: string | RegExp;
}

const FLAG_CASES: FlagCase[] = [
  {
    id: 'as-of-not-iso',
    args: () => ['assess', '--framework', 'soc2', '--period', '2026-10', '--as-of', 'yesterday'],
    code: 2,
    stderr: 'auditpack: --as-of: "yesterday" is not an ISO-8601 instant such as 2026-11-02T00:00:00Z\n',
  },
  {
    id: 'period-month-13',
    args: () => ['assess', '--framework', 'soc2', '--period', '2026-13'],
    code: 2,
    stderr: /^auditpack: --period: period "2026-13": month must be 01-12\n$/,
  },
  {
    id: 'period-reversed',
    args: () => ['assess', '--framework', 'soc2', '--period', '2026-10..2026-09-01'],
    code: 2,
    stderr: /^auditpack: --period: period "2026-10\.\.2026-09-01": /,
  },
  {
    id: 'framework-path',
    args: () => ['assess', '--framework', '../../etc/passwd', '--period', '2026-10'],
    code: 2,
    stderr: 'auditpack: --framework: unknown framework(s) ../../etc/passwd (known: gdpr, hipaa, soc2)\n',
  },
  {
    id: 'fail-on-unknown',
    args: () => ['assess', '--framework', 'soc2', '--period', '2026-10', '--fail-on', 'everything'],
    code: 2,
    stderr:
      'auditpack: --fail-on: unknown status(es) everything (known: satisfied, exception, gap, manual, not_applicable)\n',
  },
  {
    id: 'out-under-a-file',
    args: () => ['assess', '--framework', 'soc2', '--period', '2026-10', '--out', '/etc/passwd/x'],
    code: 2,
    stderr: 'auditpack: --out: cannot use /etc/passwd/x: ENOTDIR\n',
  },
  {
    id: 'out-in-procfs',
    args: () => ['pack', '--framework', 'soc2', '--period', '2026-10', '--out', '/proc/auditpack-x'],
    code: 2,
    stderr: 'auditpack: --out: cannot create /proc/auditpack-x: ENOENT\n',
  },
  {
    id: 'accounts-not-12-digits',
    args: () => ['collect', '--live', '--accounts', '12,abc'],
    code: 2,
    stderr: 'auditpack: --accounts: not 12-digit account ids: 12, abc\n',
  },
  {
    id: 'regions-shell',
    args: () => ['collect', '--live', '--accounts', A, '--regions', 'eu-west-1;rm -rf /'],
    code: 2,
    stderr: 'auditpack: --regions: not AWS region codes: "eu-west-1;rm -rf /"\n',
  },
  {
    id: 'role-name-traversal',
    args: () => ['collect', '--live', '--accounts', A, '--role-name', '../../x'],
    code: 2,
    stderr: /^auditpack: --role-name: expected an IAM role name/,
  },
  {
    id: 'external-id-control-chars',
    args: () => ['collect', '--live', '--accounts', A, '--external-id', 'a\u0007b\nc'],
    code: 2,
    stderr: /^auditpack: --external-id: expected 2-1224 characters/,
  },
  {
    id: 'source-missing',
    args: ({ tmp: t }) => ['collect', '--source', path.join(t, 'nope')],
    code: 2,
    stderr: /^auditpack: --source: export directory .*nope: does not exist\n$/,
  },
  {
    id: 'source-and-live',
    args: ({ tmp: t }) => ['collect', '--source', t, '--live'],
    code: 2,
    stderr: 'auditpack: give exactly one of --source DIR and --live\n',
  },
  {
    id: 'verify-trust-not-pem',
    args: () => ['verify', '/etc/hostname', '--trust', '/etc/hostname'],
    code: 2,
    stderr: 'auditpack: --trust /etc/hostname: /etc/hostname: no PEM certificate found\n',
  },
  { id: 'unknown-command', args: () => ['frobnicate'], code: 2, stderr: /unknown command 'frobnicate'/ },
];

describe('CLI flags', () => {
  const results = new Map<string, CliResult>();
  beforeAll(async () => {
    const before = snapshotStore(storeDir);
    // One process for all the cases (main() per case, output captured): one tsx start-up instead of fifteen.
    const all = await runAuditpackBatch(
      FLAG_CASES.map((c) => c.args({ store: storeDir, tmp })),
      { env: { AUDITPACK_STORE: storeDir } },
    );
    FLAG_CASES.forEach((c, i) => results.set(c.id, all[i]!));
    expect(lostRecords(before, snapshotStore(storeDir))).toEqual([]);
    expect(snapshotStore(storeDir).records.size).toBe(before.records.size);
  }, 240_000);

  it.each(FLAG_CASES.map((c) => [c.id, c] as const))(
    '%s: exit 2 with the flag and the problem named, nothing changed',
    (_id, c) => {
      const r = results.get(c.id)!;
      expect(crashed(r), r.stderr).toBe(false);
      expect(r.code, r.stderr).toBe(c.code);
      if (typeof c.stderr === 'string') expect(r.stderr).toBe(c.stderr);
      else expect(r.stderr).toMatch(c.stderr);
      expect(existsSync('/proc/auditpack-x')).toBe(false);
      recordOutcome({
        id: `hostile-input/cli-flags/${c.id}`,
        group: 'Hostile input',
        scenario: `CLI: auditpack ${c
          .args({ store: 'STORE', tmp: 'TMP' })
          .map((a) => (/[\s;]/.test(a) ? JSON.stringify(a) : a))
          .join(' ')}`.replace(/\p{Cc}/gu, '?'),
        expected: `Exit ${c.code}, one line naming the flag and the problem; no stack trace; the store unchanged.`,
        runs: 1,
        lost: 0,
        duplicated: 0,
        crashes: crashed(r) ? 1 : 0,
        leaks: 0,
        extra: { 'exit code': r.code ?? -1 },
      });
    },
  );
});

// ------------------------------------------------------------------------------------------------ job payloads

interface FakeJob {
  readonly id: string;
  readonly data: unknown;
  readonly opts: Record<string, unknown>;
  readonly timestamp: number;
  updateProgress(p: unknown): Promise<void>;
  getChildrenValues(): Promise<Record<string, unknown>>;
  getIgnoredChildrenFailures(): Promise<Record<string, string>>;
  moveToDelayed(): Promise<void>;
}
const fakeJob = (data: unknown): FakeJob => ({
  id: 'forged',
  data,
  opts: {},
  timestamp: Date.parse('2026-11-01T06:00:00Z'),
  updateProgress: () => Promise.resolve(),
  getChildrenValues: () => Promise.resolve({}),
  getIgnoredChildrenFailures: () => Promise.resolve({}),
  moveToDelayed: () => Promise.resolve(),
});

interface PayloadCase {
  readonly id: string;
  readonly queue: 'collect' | 'pack' | 'deliver';
  readonly data: (d: { allowed: string; out: string; outside: string }) => unknown;
  readonly message: string;
}

const goodPack = (out: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'pack',
  runId: 'pack-2026-10-forged',
  triggerId: 'abc',
  trigger: { by: 'cli' },
  pinned: true,
  assess: {
    runId: 'pack-2026-10-forged',
    organisation: 'x',
    frameworks: ['gdpr'],
    period: '2026-10',
    assessedAt: '2026-11-02T00:00:00.000Z',
    scope: { accounts: [], regions: [] },
    freshnessDays: 45,
    fairness: { defaults: {}, bySubject: {} },
    acceptedRisks: [],
  },
  render: { outDir: path.join(out, 'pack-2026-10-forged'), accountNames: {} },
  bundle: null,
  collect: { children: 0 },
  deliver: [],
  ...over,
});
const live = (over: Record<string, unknown>): Record<string, unknown> => ({
  kind: 'live',
  runId: 'r1',
  collector: 'config',
  account: A,
  region: 'eu-west-1',
  window: { start: '2026-10-01T00:00:00.000Z', end: '2026-10-31T00:00:00.000Z' },
  ...over,
});

const PAYLOAD_CASES: PayloadCase[] = [
  {
    id: 'collect-not-an-object',
    queue: 'collect',
    data: () => null,
    message: 'invalid collect job payload: (payload): Invalid input: expected object, received null',
  },
  {
    id: 'collect-unknown-kind',
    queue: 'collect',
    data: () => ({ kind: 'shell', runId: 'r1', command: 'rm -rf /' }),
    message:
      "invalid collect job payload: kind: Invalid discriminator value. Expected 'export-dir' | 'live' | 'schedule'",
  },
  {
    id: 'collect-source-outside-allowed',
    queue: 'collect',
    data: ({ outside }) => ({ kind: 'export-dir', runId: 'r1', source: outside }),
    message: 'invalid collect job payload: source: OUTSIDE is outside queue.allowedPaths',
  },
  {
    id: 'collect-source-etc',
    queue: 'collect',
    data: () => ({ kind: 'export-dir', runId: 'r1', source: '/etc' }),
    message: 'invalid collect job payload: source: /etc is outside queue.allowedPaths',
  },
  {
    id: 'collect-source-dotdot',
    queue: 'collect',
    data: ({ allowed }) => ({ kind: 'export-dir', runId: 'r1', source: `${allowed}/../../etc` }),
    message: 'invalid collect job payload: source: a path without ".." segments; source: a normalised path',
  },
  {
    id: 'collect-source-relative',
    queue: 'collect',
    data: () => ({ kind: 'export-dir', runId: 'r1', source: 'exports/good' }),
    message: 'invalid collect job payload: source: an absolute path',
  },
  {
    id: 'collect-source-nul',
    queue: 'collect',
    data: ({ allowed }) => ({ kind: 'export-dir', runId: 'r1', source: `${allowed}\u0000/etc` }),
    message: 'invalid collect job payload: source: a path without NUL bytes',
  },
  {
    id: 'collect-symlink-out-of-allowed',
    queue: 'collect',
    data: ({ allowed }) => ({ kind: 'export-dir', runId: 'r1', source: path.join(allowed, 'link-to-etc') }),
    message: 'invalid collect job payload: source: ALLOWED/link-to-etc is outside queue.allowedPaths',
  },
  {
    id: 'collect-run-id-colon',
    queue: 'collect',
    data: ({ allowed }) => ({ kind: 'export-dir', runId: 'a:b', source: allowed }),
    message: 'invalid collect job payload: runId: a run id (letters, digits, . _ -)',
  },
  {
    id: 'live-account',
    queue: 'collect',
    data: () => live({ account: '12' }),
    message: 'invalid collect job payload: account: a 12-digit AWS account id',
  },
  {
    id: 'live-collector',
    queue: 'collect',
    data: () => live({ collector: 'evil' }),
    message:
      'invalid collect job payload: collector: a live collector (cloudtrail, config, bedrock, sagemaker, artifact)',
  },
  {
    id: 'live-region',
    queue: 'collect',
    data: () => live({ region: 'eu-west-1.evil.example' }),
    message: 'invalid collect job payload: region: an AWS region code or global',
  },
  {
    id: 'live-role-arn',
    queue: 'collect',
    data: () => live({ roleArn: 'arn:aws:iam::111122223333:user/admin' }),
    message: 'invalid collect job payload: roleArn: an IAM role ARN',
  },
  {
    id: 'live-window-not-iso',
    queue: 'collect',
    data: () => live({ window: { start: 'yesterday', end: '2026-10-31T00:00:00Z' } }),
    message: 'invalid collect job payload: window.start: Invalid ISO datetime; window: start after end',
  },
  {
    id: 'live-window-reversed',
    queue: 'collect',
    data: () => live({ window: { start: '2026-11-01T00:00:00Z', end: '2026-10-01T00:00:00Z' } }),
    message: 'invalid collect job payload: window: start after end',
  },
  {
    id: 'pack-out-dir-outside',
    queue: 'pack',
    data: ({ out }) => goodPack(out, { render: { outDir: '/etc/cron.d', accountNames: {} } }),
    message: 'invalid pack job payload: render.outDir: /etc/cron.d is outside queue.allowedPaths',
  },
  {
    id: 'pack-bundle-path-elsewhere',
    queue: 'pack',
    data: ({ out }) => goodPack(out, { bundle: { path: path.join(out, 'elsewhere.zip') } }),
    message: "invalid pack job payload: bundle.path: not auditpack-<runId>.zip in the run's output directory",
  },
  {
    id: 'pack-assess-run-id',
    queue: 'pack',
    data: ({ out }) => goodPack(out, { assess: { ...(goodPack(out)['assess'] as object), runId: 'other' } }),
    message: 'invalid pack job payload: assess.runId: not the run id of the job',
  },
  {
    id: 'pack-framework-path',
    queue: 'pack',
    data: ({ out }) =>
      goodPack(out, { assess: { ...(goodPack(out)['assess'] as object), frameworks: ['../../etc/passwd'] } }),
    message: 'invalid pack job payload: assess.frameworks.0: a framework id',
  },
  {
    id: 'pack-missing-fields',
    queue: 'pack',
    data: () => ({ kind: 'pack', runId: 'r1' }),
    message:
      'invalid pack job payload: triggerId: Invalid input: expected string, received undefined; trigger: Invalid input: expected object, received undefined; pinned: Invalid input: expected boolean, received undefined; assess: Invalid input: expected object, received undefined; render: Invalid input: expected object, received undefined',
  },
  {
    id: 'scheduled-pack-source-outside',
    queue: 'pack',
    data: () => ({
      kind: 'schedule',
      schedule: 'monthly',
      frameworks: ['gdpr'],
      tz: 'UTC',
      sources: ['/etc'],
      live: false,
      deliver: [],
      bundle: false,
    }),
    message: 'invalid pack job payload: sources.0: /etc is outside queue.allowedPaths',
  },
  {
    id: 'deliver-target-path',
    queue: 'deliver',
    data: () => ({ kind: 'deliver', runId: 'r1', targets: ['../../tmp/x'] }),
    message: 'invalid deliver job payload: targets.0: a name (letters, digits, . _ -, at most 64)',
  },
  {
    id: 'deliver-run-id',
    queue: 'deliver',
    data: () => ({ kind: 'deliver', runId: 'r1__x', targets: [] }),
    message: 'invalid deliver job payload: runId: a run id (no "__")',
  },
];

describe('BullMQ job payloads (forged in Redis)', () => {
  let deps: ProcessorDeps;
  let allowed: string;
  let out: string;
  let outside: string;
  beforeAll(() => {
    allowed = path.join(tmp, 'exports');
    out = path.join(tmp, 'packs');
    outside = path.join(hostileTemp('hostile-outside'), 'secret-export');
    put(
      outside,
      `cli/${A}/eu-west-1/configservice/describe-configuration-recorder-status.json`,
      JSON.stringify({ ConfigurationRecordersStatus: [{ name: 'x', recording: false }] }),
    );
    symlinkSync('/etc', path.join(allowed, 'link-to-etc'));
    const cfg: QueueAwareConfig = {
      loaded: {
        config: { ...loadConfigFile(path.resolve('examples/northwind/auditpack.yaml')).config },
        baseDir: tmp,
        file: null,
      },
      queue: QueueSection.parse({ allowedPaths: [allowed, out] }),
      schedules: SchedulesSection.parse({}),
      api: ApiSection.parse({}),
      signing: null,
    };
    const never = (): never => {
      throw new Error('a forged job reached the queues');
    };
    const base = workerDeps(cfg, {
      store,
      generator: { name: 'auditpack', version: 'faults' },
      now: () => new Date('2026-11-01T06:00:00Z'),
      configuredDelivery: false,
    });
    deps = {
      ...base,
      queues: new Proxy({}, { get: never }) as unknown as QueueHandles,
      limiter: { acquire: never },
    };
    expect(deps.allowedPaths).toEqual([allowed, out]);
  });

  const run = (c: PayloadCase, data: unknown): Promise<unknown> => {
    const job = fakeJob(data);
    if (c.queue === 'collect')
      return collectProcessor(deps)(job as unknown as Parameters<ReturnType<typeof collectProcessor>>[0]);
    if (c.queue === 'pack')
      return packProcessor(deps)(job as unknown as Parameters<ReturnType<typeof packProcessor>>[0]);
    return deliverProcessor(deps)(job as unknown as Parameters<ReturnType<typeof deliverProcessor>>[0]);
  };

  it.each(PAYLOAD_CASES.map((c) => [c.id, c] as const))(
    '%s: UnrecoverableError naming the field, nothing touched',
    async (_id, c) => {
      const before = snapshotStore(storeDir);
      const filesBefore = filesUnder(tmp).length;
      let err: unknown = null;
      try {
        await run(c, c.data({ allowed, out, outside }));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnrecoverableError);
      expect((err as Error).message).toBe(c.message.replace('OUTSIDE', outside).replace('ALLOWED', allowed));
      expect(lostRecords(before, snapshotStore(storeDir))).toEqual([]);
      expect(snapshotStore(storeDir).records.size).toBe(before.records.size);
      expect(filesUnder(tmp).length).toBe(filesBefore);
      expect(existsSync(path.join(out, 'pack-2026-10-forged'))).toBe(false);
      recordOutcome({
        id: `hostile-input/job-payload/${c.id}`,
        group: 'Hostile input',
        scenario: `A forged ${c.queue} job payload (${c.id.replace(/-/g, ' ')}) handed to the ${c.queue} processor of a worker with queue.allowedPaths.`,
        expected: 'UnrecoverableError naming the field (no retries); no file read or written, the store unchanged.',
        runs: 1,
        lost: 0,
        duplicated: 0,
        crashes: 0,
        leaks: 0,
      });
    },
  );

  it('a well-formed payload inside allowedPaths still runs (control)', async () => {
    const r = (await run(PAYLOAD_CASES[0]!, {
      kind: 'export-dir',
      runId: 'r1',
      source: path.join(allowed, 'good'),
    })) as { counts: { collected: number } };
    expect(r.counts.collected).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------------------------------ bundles for verify

describe('bundles given to verify', () => {
  let dir: string;
  let good: string;
  let caPem: string;
  let entries: Map<string, Buffer>;
  beforeAll(async () => {
    dir = hostileTemp('hostile-verify');
    const pack = await makePack(path.join(dir, 'pack'));
    const signer = await devSigner(path.join(dir, 'keys'));
    caPem = signer.caPem;
    good = (
      await bundleStage(pack.ctx, {
        runId: pack.runId,
        outDir: pack.outDir,
        bundlePath: path.join(dir, 'good.zip'),
        signer: signer.config,
      })
    ).path;
    entries = await readZip(good);
  }, 180_000);

  const withExtra = (name: string, mode?: number): Buffer =>
    rawZip([
      ...[...entries].map(([n, d]) => ({ name: n, data: d })),
      { name, data: Buffer.from('pwned\n'), ...(mode ? { mode } : {}) },
    ]);

  interface VerifyCase {
    readonly id: string;
    readonly make: (file: string) => void;
    readonly status: 'invalid' | 'unreadable';
    readonly problem: string | RegExp;
    /** `auditpack verify` exit code: 1 for a hostile bundle, 2 for something that is not a bundle. */
    readonly code: 1 | 2;
  }
  const CASES: VerifyCase[] = [
    {
      id: 'not-a-zip',
      make: (f) => writeFileSync(f, 'PK? no, just text\n'),
      status: 'unreadable',
      problem: /^not a readable zip file: /,
      code: 2,
    },
    {
      id: 'truncated',
      make: (f) => writeFileSync(f, readFileSync(good).subarray(0, Math.floor(readFileSync(good).length * 0.6))),
      status: 'unreadable',
      problem: /^not a readable zip file: /,
      code: 2,
    },
    {
      id: 'one-gigabyte-sparse',
      make: (f) => void sparseFile(f, 1024 * 1024 * 1024),
      status: 'unreadable',
      problem: /^not a readable zip file: /,
      code: 2,
    },
    {
      id: 'gzip-not-zip',
      make: (f) => writeFileSync(f, gzipSync('x'.repeat(1000))),
      status: 'unreadable',
      problem: /^not a readable zip file: /,
      code: 2,
    },
    {
      id: 'zip-slip-dotdot',
      make: (f) => writeFileSync(f, withExtra('../../../../tmp/auditpack-zip-slip.txt')),
      status: 'invalid',
      problem: 'unsafe entry "../../../../tmp/auditpack-zip-slip.txt": parent-directory (..) segment',
      code: 1,
    },
    {
      id: 'zip-slip-nested-dotdot',
      make: (f) => writeFileSync(f, withExtra('evidence/../../auditpack-zip-slip.txt')),
      status: 'invalid',
      problem: 'unsafe entry "evidence/../../auditpack-zip-slip.txt": parent-directory (..) segment',
      code: 1,
    },
    {
      id: 'absolute-path',
      make: (f) => writeFileSync(f, withExtra('/tmp/auditpack-zip-slip.txt')),
      status: 'invalid',
      problem: 'unsafe entry "/tmp/auditpack-zip-slip.txt": absolute path',
      code: 1,
    },
    {
      id: 'backslash-dotdot',
      make: (f) => writeFileSync(f, withExtra('..\\..\\auditpack-zip-slip.txt')),
      status: 'invalid',
      problem: 'unsafe entry "..\\..\\auditpack-zip-slip.txt": backslash in the name',
      code: 1,
    },
    {
      id: 'drive-letter',
      make: (f) => writeFileSync(f, withExtra('C:/Windows/evil.txt')),
      status: 'invalid',
      problem: 'unsafe entry "C:/Windows/evil.txt": drive-letter path',
      code: 1,
    },
    {
      id: 'symlink-entry',
      make: (f) => writeFileSync(f, withExtra('evidence/link', 0o120777)),
      status: 'invalid',
      problem: 'unsafe entry "evidence/link": symbolic link',
      code: 1,
    },
    {
      id: 'control-char-name',
      make: (f) => writeFileSync(f, withExtra('evidence/a\u001b[2Jb.txt')),
      status: 'invalid',
      problem: 'unsafe entry "evidence/a\u001b[2Jb.txt": control character in the name',
      code: 1,
    },
    {
      id: 'duplicate-manifest',
      make: (f) => writeFileSync(f, withExtra('manifest.json')),
      status: 'invalid',
      problem: 'unsafe entry "manifest.json": duplicate name',
      code: 1,
    },
  ];

  it.each(CASES.map((c) => [c.id, c] as const))(
    '%s: refused with the entry and the problem named, nothing written',
    async (_id, c) => {
      const file = path.join(dir, `${c.id}.zip`);
      c.make(file);
      const before = filesUnder(dir);
      const t0 = performance.now();
      const report = await verifyBundle(file, { trust: [] });
      const ms = performance.now() - t0;
      expect(report.status).toBe(c.status);
      if (typeof c.problem === 'string') expect(report.problems).toContain(c.problem);
      else
        expect(
          report.problems.some((p) => (c.problem as RegExp).test(p)),
          report.problems.join('\n'),
        ).toBe(true);
      expect(filesUnder(dir)).toEqual(before);
      expect(existsSync('/tmp/auditpack-zip-slip.txt')).toBe(false);
      expect(ms).toBeLessThan(10_000);
      recordOutcome({
        id: `hostile-input/verify/${c.id}`,
        group: 'Hostile input',
        scenario: `A bundle given to verify: ${c.id.replace(/-/g, ' ')}.`,
        expected: `Status ${c.status}, the problem names the entry; nothing extracted or written anywhere; CLI exit ${c.code}.`,
        runs: 1,
        lost: 0,
        duplicated: 0,
        crashes: 0,
        leaks: 0,
        extra: { ms: Math.round(ms) },
      });
    },
  );

  it('the CLI exits 1 for a hostile bundle and 2 for something that is not one, never 3', async () => {
    const picked = CASES.filter((c) =>
      ['zip-slip-dotdot', 'one-gigabyte-sparse', 'symlink-entry', 'not-a-zip'].includes(c.id),
    );
    const all = await runAuditpackBatch(
      picked.map((c) => ['verify', path.join(dir, `${c.id}.zip`), '--trust', caPem, '--json']),
    );
    for (const [i, c] of picked.entries()) {
      const r = all[i]!;
      expect(crashed(r), r.stderr).toBe(false);
      expect(r.code, `${c.id}: ${r.stderr}`).toBe(c.code);
    }
    expect(existsSync('/tmp/auditpack-zip-slip.txt')).toBe(false);
  }, 60_000);
});
