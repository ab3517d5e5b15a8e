// Hostile and broken input on the export-directory path (and the live S3 log path that shares its reader): one
// table of cases, each a fresh export directory collected into the same store that already holds good evidence.
// Each case asserts the exact error item (code, the file named, the problem), that nothing crashed, and that every
// record stored before is still there byte for byte. A 1 GB file and a gzip bomb are refused with the process's
// peak RSS measured. The CLI (`collect --source`) over all the cases at once exits 1 (errors found), never 3.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { EvidenceItem } from '../../src/evidence/model.js';
import { collectExportDir, type ExportDirSummary } from '../../src/sources/export-dir/index.js';
import { recordOutcome } from './outcomes.js';
import {
  crashed,
  hostileTemp,
  lostRecords,
  put,
  removeHostileTemps,
  runAuditpack,
  snapshotStore,
  sparseFile,
} from './lib/hostile-kit.js';

const A = '111122223333';
const R = 'eu-west-1';
const RDK = path.resolve('../shared/realdata/aws-config-rdk/example_ci');
const STRATUS = path.resolve('test/fixtures/realdata/stratus-red-team/detonation-logs');
const rdk = (f: string): string => readFileSync(path.join(RDK, f), 'utf8');
const snapshotPath = (day: string): string =>
  `AWSLogs/${A}/Config/${R}/2026/10/${day}/ConfigSnapshot/${A}_Config_${R}_ConfigSnapshot_202610${day}T000000Z_h${day}.json.gz`;
const ctPath = (day: string, tag: string): string =>
  `AWSLogs/${A}/CloudTrail/${R}/2026/10/${day}/${A}_CloudTrail_${R}_202610${day}T0000Z_${tag}.json.gz`;
const brPath = (name: string): string => `AWSLogs/${A}/BedrockModelInvocationLogs/${R}/2026/10/05/10/${name}.json.gz`;
const cli = (service: string, file: string): string => `cli/${A}/${R}/${service}/${file}`;
const s3Item = (): Record<string, unknown> => JSON.parse(rdk('AWS_S3_Bucket.json')) as Record<string, unknown>;
const snapshot = (items: unknown[]): Buffer =>
  gzipSync(JSON.stringify({ fileVersion: '1.0', configSnapshotId: 'h', configurationItems: items }));
const modelCard = (name: string, over: Record<string, unknown>): string =>
  JSON.stringify({
    ModelCardArn: `arn:aws:sagemaker:${R}:${A}:model-card/${name}`,
    ModelCardName: name,
    ModelCardVersion: 1,
    Content: '{}',
    ModelCardStatus: 'Draft',
    CreationTime: '2026-10-01T00:00:00Z',
    LastModifiedTime: '2026-10-01T00:00:00Z',
    ...over,
  });

interface Case {
  readonly id: string;
  /** What the case does, for the report. */
  readonly what: string;
  /** Writes the hostile input into a fresh export directory; returns the path the error must name. */
  readonly make: (root: string) => string;
  /** The error item: its code, and the exact problem text after "<file>: ". */
  readonly code: string;
  readonly problem: string | RegExp;
  /** Refused entries (symlinks, special files) are also listed in the summary. */
  readonly refused?: boolean;
}

const goodGz = gzipSync(JSON.stringify({ configurationItems: [s3Item()] }));
const CASES: Case[] = [
  {
    id: 'truncated-gzip-config',
    what: 'Config snapshot cut after 60 bytes',
    make: (root) => (put(root, snapshotPath('01'), goodGz.subarray(0, 60)), snapshotPath('01')),
    code: 'CorruptGzip',
    problem: 'gzip data is truncated',
  },
  {
    id: 'truncated-gzip-bedrock',
    what: 'Bedrock invocation log cut in half',
    make: (root) => {
      const gz = gzipSync('{"schemaType":"ModelInvocationLog"}\n'.repeat(200));
      put(root, brPath('cut'), gz.subarray(0, Math.floor(gz.length / 2)));
      return brPath('cut');
    },
    code: 'CorruptGzip',
    problem: 'gzip data is truncated',
  },
  {
    id: 'corrupt-gzip-deflate',
    what: 'Config snapshot with 40 bytes of the deflate stream flipped',
    make: (root) => {
      const c = Buffer.from(goodGz);
      for (let i = 20; i < 60; i++) c[i] = c[i]! ^ 0x55;
      put(root, snapshotPath('02'), c);
      return snapshotPath('02');
    },
    code: 'CorruptGzip',
    problem: /^gzip data is corrupt \(.+\)$/,
  },
  {
    id: 'corrupt-gzip-crc',
    what: 'Config snapshot whose gzip CRC-32 does not match',
    make: (root) => {
      const c = Buffer.from(goodGz);
      c.writeUInt32LE((c.readUInt32LE(c.length - 8) ^ 1) >>> 0, c.length - 8);
      put(root, snapshotPath('03'), c);
      return snapshotPath('03');
    },
    code: 'CorruptGzip',
    problem: 'gzip data is corrupt (incorrect data check)',
  },
  {
    id: 'not-gzip',
    what: 'a .json.gz Config snapshot that is plain JSON',
    make: (root) => (put(root, snapshotPath('04'), JSON.stringify({ configurationItems: [] })), snapshotPath('04')),
    code: 'CorruptGzip',
    problem: 'is not gzip data (missing gzip header)',
  },
  {
    id: 'invalid-json-cli',
    what: 'describe-model-card output cut mid-document',
    make: (root) => (
      put(root, cli('sagemaker', 'describe-model-card.cut.json'), '{"ModelCardName": '),
      cli('sagemaker', 'describe-model-card.cut.json')
    ),
    code: 'InvalidJson',
    problem: 'invalid JSON: Unexpected end of JSON input',
  },
  {
    id: 'invalid-json-nested-string',
    what: 'model card whose Content string is not JSON',
    make: (root) => {
      put(root, cli('sagemaker', 'describe-model-card.content.json'), modelCard('content', { Content: '{not json' }));
      return cli('sagemaker', 'describe-model-card.content.json');
    },
    code: 'MalformedInput',
    problem: 'Content is not valid JSON (it must hold the model card content as a JSON document)',
  },
  {
    id: 'deeply-nested-json',
    what: 'Config snapshot nested 100,000 levels deep',
    make: (root) => {
      put(root, snapshotPath('05'), gzipSync(`{"configurationItems":${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
      return snapshotPath('05');
    },
    code: 'TooDeep',
    problem: 'JSON is nested deeper than 256 levels',
  },
  {
    id: 'invalid-utf8-gzip',
    what: 'Config snapshot with an invalid UTF-8 sequence (C3 28)',
    make: (root) => {
      const text = Buffer.concat([
        Buffer.from('{"configurationItems":[{"resourceName":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}]}'),
      ]);
      put(root, snapshotPath('06'), gzipSync(text));
      return snapshotPath('06');
    },
    code: 'InvalidUtf8',
    problem: 'is not valid UTF-8',
  },
  {
    id: 'invalid-utf8-cli',
    what: 'describe-compliance-by-config-rule output in Latin-1',
    make: (root) => {
      const text = Buffer.concat([
        Buffer.from('{"ComplianceByConfigRules":[{"ConfigRuleName":"r'),
        Buffer.from([0xe9]),
        Buffer.from('"}]}'),
      ]);
      put(root, cli('configservice', 'describe-compliance-by-config-rule.json'), text);
      return cli('configservice', 'describe-compliance-by-config-rule.json');
    },
    code: 'InvalidUtf8',
    problem: 'is not valid UTF-8',
  },
  {
    id: 'time-not-iso8601-cli',
    what: 'model card with CreationTime "yesterday"',
    make: (root) => {
      put(
        root,
        cli('sagemaker', 'describe-model-card.time.json'),
        modelCard('time', { CreationTime: 'yesterday', LastModifiedTime: 'yesterday' }),
      );
      return cli('sagemaker', 'describe-model-card.time.json');
    },
    code: 'InvalidTime',
    problem: 'CreationTime is not an ISO-8601 instant with a time zone: "yesterday"',
  },
  {
    id: 'time-not-iso8601-and-missing-fields-config',
    what: 'Config snapshot of 5 items: a local-format time, no resourceType, an array, and one good item twice',
    make: (root) => {
      const good = s3Item();
      put(
        root,
        snapshotPath('07'),
        snapshot([
          { ...good, configurationItemCaptureTime: '12/10/2026 10:00' },
          { ...good, resourceType: undefined },
          JSON.parse(rdk('AWS_LAMBDA_FUNCTION.json')),
          good,
          good,
        ]),
      );
      return snapshotPath('07');
    },
    code: 'MalformedRecords',
    problem:
      '3 of 5 configuration items are malformed: configurationItems[0].configurationItemCaptureTime is not an ISO-8601 instant with a time zone: "12/10/2026 10:00"; configurationItems[1].resourceType is required and must be a non-empty string, got undefined; configurationItems[2] must be a JSON object, got an array',
  },
  {
    id: 'missing-required-field-cli',
    what: 'get-guardrail output without a name',
    make: (root) => (
      put(root, cli('bedrock', 'get-guardrail.g1.json'), JSON.stringify({ guardrailId: 'g1' })),
      cli('bedrock', 'get-guardrail.g1.json')
    ),
    code: 'MissingField',
    problem: 'name is required and must be a non-empty string, got undefined',
  },
  {
    id: 'rdk-invalid-upstream-network-interface',
    what: 'the upstream-invalid aws-config-rdk AWS_EC2_NetworkInterface.json inside a Config snapshot',
    make: (root) => {
      put(
        root,
        snapshotPath('08'),
        gzipSync(`{"fileVersion":"1.0","configurationItems":[${rdk('AWS_EC2_NetworkInterface.json')}]}`),
      );
      return snapshotPath('08');
    },
    code: 'InvalidJson',
    problem: /^invalid JSON: Expected ',' or ']' after array element in JSON at position \d+/,
  },
  {
    id: 'rdk-invalid-upstream-ssm-inventory',
    what: 'the upstream-invalid aws-config-rdk AWS_SSM_ManagedInstanceInventory_Linux.json inside a Config snapshot',
    make: (root) => {
      put(
        root,
        snapshotPath('09'),
        gzipSync(`{"fileVersion":"1.0","configurationItems":[${rdk('AWS_SSM_ManagedInstanceInventory_Linux.json')}]}`),
      );
      return snapshotPath('09');
    },
    code: 'InvalidJson',
    problem: /^invalid JSON: Bad control character in string literal in JSON at position \d+/,
  },
  {
    id: 'symlink-escape',
    what: 'a CLI output that is a symlink to ../../../../../../etc/passwd',
    make: (root) => {
      mkdirSync(path.join(root, `cli/${A}/${R}/bedrock`), { recursive: true });
      symlinkSync(
        '../../../../../../etc/passwd',
        path.join(root, cli('bedrock', 'get-model-invocation-logging-configuration.json')),
      );
      return cli('bedrock', 'get-model-invocation-logging-configuration.json');
    },
    code: 'UnsafePath',
    problem: 'is a symbolic link (not followed)',
    refused: true,
  },
  {
    id: 'fifo',
    what: 'a named pipe where a CLI output should be (reading it would block forever)',
    make: (root) => {
      mkdirSync(path.join(root, `cli/${A}/${R}/configservice`), { recursive: true });
      execFileSync('mkfifo', [path.join(root, cli('configservice', 'describe-configuration-recorder-status.json'))]);
      return cli('configservice', 'describe-configuration-recorder-status.json');
    },
    code: 'UnsafePath',
    problem: 'is not a regular file',
    refused: true,
  },
  {
    id: 'one-gigabyte-file',
    what: 'a 1 GiB (sparse) CloudTrail log file',
    make: (root) => (
      sparseFile(path.join(root, ctPath('10', 'huge')), 1024 * 1024 * 1024, Buffer.from([0x1f, 0x8b])),
      ctPath('10', 'huge')
    ),
    code: 'TooLarge',
    problem: 'is 1073741824 bytes, more than the 268435456-byte limit for one file',
  },
  {
    id: 'gzip-bomb',
    what: 'a 0.5 MB Bedrock log (512 gzip members) that inflates to 512 MiB',
    make: (root) => {
      // 300 gzip members of 1 MiB of spaces each (gunzip reads concatenated members): built without ever
      // holding the inflated bytes here, so the peak RSS measured is the reader's.
      const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
      put(root, brPath('bomb'), Buffer.concat(Array.from({ length: 512 }, () => member)));
      return brPath('bomb');
    },
    code: 'TooLarge',
    problem: 'decompresses to more than the 268435456-byte limit',
  },
];

let storeDir: string;
let store: LocalDirectoryStore;
const ctx = (): Parameters<typeof collectExportDir>[0] => ({
  store,
  now: () => new Date('2026-11-01T00:00:00Z'),
  collectorVersion: 'faults',
  callerIdentity: null,
});
const results = new Map<
  string,
  { summary: ExportDirSummary; newItems: EvidenceItem[]; lost: string[]; ms: number; peakRssGrowth: number }
>();
const allItems = async (): Promise<Map<string, EvidenceItem>> => {
  const m = new Map<string, EvidenceItem>();
  for await (const i of store.listItems({})) m.set(i.id, i);
  return m;
};
/** Resets the peak RSS counter of this process (Linux: clear_refs 5), so VmHWM measures one case only. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
const status = (key: 'VmHWM' | 'VmRSS'): number =>
  Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;

beforeAll(async () => {
  storeDir = hostileTemp('hostile-store');
  store = new LocalDirectoryStore(storeDir, { fsync: false });
  // Good evidence first: what a hostile input must never damage.
  const good = hostileTemp('hostile-good');
  const events = JSON.parse(
    readFileSync(path.join(STRATUS, 'aws.defense-evasion.cloudtrail-stop.json'), 'utf8'),
  ) as unknown[];
  put(good, ctPath('01', 'good'), gzipSync(JSON.stringify({ Records: events })));
  put(good, snapshotPath('01'), snapshot([s3Item(), JSON.parse(rdk('AWS_IAM_User.json')) as unknown]));
  put(good, cli('sagemaker', 'describe-model-card.good.json'), modelCard('good', {}));
  await collectExportDir(ctx(), good);

  for (const c of CASES) {
    const root = hostileTemp(`hostile-${c.id}`);
    c.make(root);
    const before = snapshotStore(storeDir);
    const known = await allItems();
    const measured = resetPeak();
    const base = status('VmRSS');
    const t0 = performance.now();
    const summary = await collectExportDir(ctx(), root);
    const ms = performance.now() - t0;
    const growth = measured ? Math.max(0, status('VmHWM') - base) : -1;
    const after = snapshotStore(storeDir);
    const newItems = [...(await allItems()).values()].filter((i) => !known.has(i.id));
    results.set(c.id, { summary, newItems, lost: lostRecords(before, after), ms, peakRssGrowth: growth });
  }
}, 300_000);

afterAll(() => removeHostileTemps());

const message = (i: EvidenceItem): string =>
  i.status.state === 'error' ? `${i.status.code}: ${i.status.message}` : '';

describe('export directory: every hostile input is one named error, nothing stored is lost', () => {
  it.each(CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const r = results.get(c.id)!;
    const errors = r.newItems.filter((i) => i.status.state === 'error');
    expect(errors, JSON.stringify(r.summary.errors)).toHaveLength(1);
    const msg = message(errors[0]!);
    const prefix = `${c.code}: `;
    expect(msg.startsWith(prefix), msg).toBe(true);
    const [file, ...rest] = msg.slice(prefix.length).split(': ');
    expect(errors[0]!.resource).toBe(file);
    const problem = rest.join(': ');
    if (typeof c.problem === 'string') expect(problem).toBe(c.problem);
    else expect(problem).toMatch(c.problem);
    // Nothing else was stored from the hostile input but its error item and the directory inventory.
    for (const i of r.newItems)
      expect(i.status.state === 'error' || i.kind === 'inventory' || i.kind === 'config.configuration_item').toBe(true);
    expect(r.lost).toEqual([]);
    if (c.refused) expect(r.summary.refused.map((x) => x.path)).toContain(file);
    recordOutcome({
      id: `hostile-input/export-dir/${c.id}`,
      group: 'Hostile input',
      scenario: `Export directory: ${c.what}, collected into a store that already holds good evidence.`,
      expected: `One error item ${c.code} naming the file and the problem; no crash; every record stored before unchanged.`,
      runs: 1,
      lost: r.lost.length,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { 'error items': errors.length, 'records before kept': snapshotStore(storeDir).records.size },
    });
  });

  it('refuses the 1 GiB file from its size alone: quickly, without reading it into memory', () => {
    const r = results.get('one-gigabyte-file')!;
    expect(r.ms).toBeLessThan(2000);
    expect(r.peakRssGrowth).toBeGreaterThanOrEqual(0);
    expect(r.peakRssGrowth).toBeLessThan(64 * 1024 * 1024);
    const bomb = results.get('gzip-bomb')!;
    // A bomb can make the reader hold at most the inflation limit (256 MiB), never the whole 512 MiB.
    expect(bomb.peakRssGrowth).toBeLessThan(300 * 1024 * 1024);
    recordOutcome({
      id: 'hostile-input/export-dir/read-limits-memory',
      group: 'Hostile input',
      scenario:
        'A 1 GiB sparse log file and a gzip bomb (512 MiB inflated) in the export directory; peak RSS of the collecting process measured (VmHWM).',
      expected:
        'TooLarge for both; the 1 GiB file refused from its size in < 2 s with < 64 MiB peak RSS growth; the bomb held to the 256 MiB inflation limit.',
      runs: 2,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: {
        'ms for 1 GiB': Math.round(r.ms),
        'MiB RSS growth 1 GiB': Math.round(r.peakRssGrowth / 1048576),
        'MiB RSS growth bomb': Math.round(bomb.peakRssGrowth / 1048576),
      },
    });
  });

  it('stores a duplicated configuration item (and a re-delivered file) once', async () => {
    const root = hostileTemp('hostile-dup');
    const item = s3Item();
    put(root, snapshotPath('11'), snapshot([item, item, item]));
    put(root, snapshotPath('12'), snapshot([item]));
    const before = await allItems();
    const s = await collectExportDir(ctx(), root);
    const again = await collectExportDir(ctx(), root);
    const after = await allItems();
    const added = [...after.values()].filter((i) => !before.has(i.id));
    const dup = [...after.values()].filter(
      (i) =>
        i.kind === 'config.configuration_item' &&
        i.status.state === 'collected' &&
        i.resource === 'arn:aws:s3:::mborch-test-bucket-config-item',
    );
    expect(s.errors).toEqual([]);
    expect(new Set(dup.map((i) => i.id)).size).toBe(dup.length);
    expect(Object.values(again.byCollector).reduce((n, t) => n + t.newItems, 0)).toBe(0);
    recordOutcome({
      id: 'hostile-input/export-dir/duplicate-items',
      group: 'Hostile input',
      scenario:
        'Export directory: the same Config item three times in one snapshot and again in a second file, collected twice.',
      expected: 'No error; each distinct observation stored once; the second collection adds nothing.',
      runs: 2,
      lost: 0,
      duplicated: dup.length - new Set(dup.map((i) => i.id)).size,
      crashes: 0,
      leaks: 0,
      extra: { 'items added': added.length, 'added on re-run': 0 },
    });
  });

  it('the CLI over all the hostile files at once exits 1 (errors found), never 3, and names every file', async () => {
    const root = hostileTemp('hostile-all');
    for (const c of CASES) if (c.id !== 'gzip-bomb') c.make(root);
    const cliStore = hostileTemp('hostile-cli-store');
    const r = await runAuditpack(['collect', '--source', root, '--json'], {
      env: { AUDITPACK_STORE: cliStore, AUDITPACK_FIXED_NOW: '2026-11-01T00:00:00Z' },
    });
    expect(crashed(r), r.stderr).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { errors?: string[]; summary?: { errors: string[] } };
    const errors = JSON.stringify(out);
    const named = CASES.filter((c) => c.id !== 'gzip-bomb').filter((c) => {
      const r2 = results.get(c.id)!;
      const file = r2.newItems.find((i) => i.status.state === 'error')!.resource!;
      return errors.includes(file);
    });
    expect(named.map((c) => c.id)).toEqual(CASES.filter((c) => c.id !== 'gzip-bomb').map((c) => c.id));
    recordOutcome({
      id: 'hostile-input/cli/collect-source-all-cases',
      group: 'Hostile input',
      scenario: `auditpack collect --source over one directory holding ${named.length} hostile files (every export-directory case but the bomb).`,
      expected:
        'Exit 1 (the work ran, errors found), no crash or stack trace; the JSON summary names every hostile file.',
      runs: 1,
      lost: 0,
      duplicated: 0,
      crashes: crashed(r) ? 1 : 0,
      leaks: 0,
      extra: { 'files named': named.length, 'exit code': r.code ?? -1 },
    });
  }, 120_000);
});
