// `auditpack deliver`, run in-process through commander with the same exit-code handling as src/cli/main.ts
// (so that Audit Manager can be mocked), against the fake S3 for S3 delivery.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AuditManagerClient, BatchImportEvidenceToAssessmentControlCommand, GetAssessmentCommand, GetEvidenceFileUploadUrlCommand } from '@aws-sdk/client-auditmanager';
import { mockClient } from 'aws-sdk-client-mock';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, defaultConfig, type LoadedConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/cli/exit-codes.js';
import { registerDeliver } from '../../src/delivery/cli.js';
import { FakeS3 } from '../fixtures/delivery/fake-s3.js';
import { makeBundle, tamperedCopy, type DeliveryFixture } from '../fixtures/delivery/bundle.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLEFAKE00004', secretAccessKey: 'cli/secret+key/never-printed-0000000000000' };
const NOW = '2026-11-03T10:00:00.000Z';
const KMS = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ASSESSMENT = '0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b';
const CONTROL = '11111111-2222-4333-8444-555555555555';

let fx: DeliveryFixture;
let fake: FakeS3;
const savedEnv = { ...process.env };
beforeAll(async () => {
  fx = await makeBundle();
  fake = await new FakeS3({ buckets: { 'northwind-deliveries': { objectLock: true }, 'am-uploads': { anonymous: true } }, credentials: CREDS, now: () => new Date(NOW) }).start();
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: fake.endpoint,
    AUDITPACK_FIXED_NOW: NOW,
    CI: 'true',
  });
  delete process.env['AWS_PROFILE'];
  delete process.env['AWS_SESSION_TOKEN'];
});
afterAll(async () => {
  process.env = savedEnv;
  await fake.stop();
  rmSync(fx.root, { recursive: true, force: true });
});

/** A config as auditpack.yaml will give it once config/schema.ts embeds the delivery section. */
function withDelivery(delivery: unknown, over: { store?: string } = {}): (flag: string | undefined) => LoadedConfig {
  return () => {
    const base = defaultConfig(fx.root);
    return { ...base, config: { ...base.config, store: { type: 'local', path: over.store ?? fx.pack.store.root }, delivery } as never, file: path.join(fx.root, 'auditpack.yaml') };
  };
}

const S3_DELIVERY = { s3: { bucket: 'northwind-deliveries', prefix: 'packs', region: 'eu-west-1', kmsKeyId: KMS, objectLock: { mode: 'COMPLIANCE', days: 365 }, presignExpiresSeconds: 86_400, forcePathStyle: true } };

async function run(args: string[], resolveConfig?: (flag: string | undefined) => LoadedConfig): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  process.exitCode = undefined;
  let code: number;
  try {
    const program = new Command('auditpack').exitOverride();
    registerDeliver(program, resolveConfig ? { resolveConfig } : {});
    await program.parseAsync(['node', 'auditpack', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof UsageError || e instanceof ConfigError) {
      err.push(`auditpack: ${e.message}\n`);
      code = 2;
    } else {
      err.push(`auditpack: unexpected failure: ${(e as Error).message}\n`);
      code = 3;
    }
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('auditpack deliver', () => {
  it('--to dir: exit 0 and a JSON receipt', async () => {
    const dir = path.join(fx.root, 'out-dir');
    const r = await run(['deliver', '--bundle', fx.bundle.path, '--to', 'dir', '--dir', dir, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; receipt: { kind: string; path: string } };
    expect(doc.ok).toBe(true);
    expect(doc.receipt.kind).toBe('local-directory');
    expect(readFileSync(doc.receipt.path).length).toBe(fx.bundle.size);
  });

  it('--to s3: exit 0, the receipt names the version and a working link; credentials never printed', async () => {
    const r = await run(['deliver', '--bundle', fx.bundle.path, '--to', 's3'], withDelivery(S3_DELIVERY));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Delivered northwind-2026-10\.zip \(\d+ bytes, sha256 [a-f0-9]{64}\)\n {2}to {9}s3:\/\/northwind-deliveries\/packs\/northwind-2026-10\.zip \(version \S+\)/);
    expect(r.stdout).toContain('retention  COMPLIANCE until 2027-11-03T10:00:00.000Z');
    expect(r.stdout).toContain('expires    2026-11-04T10:00:00.000Z');
    const url = /download {3}(\S+)/.exec(r.stdout)![1]!;
    expect((await fetch(url)).status).toBe(200);
    expect(r.stdout + r.stderr).not.toContain(CREDS.secretAccessKey);
  });

  it('--to s3 refused by S3: exit 1, the reason on stderr, {"ok": false} with --json', async () => {
    fake.inject({ operation: 'PutObject', status: 403, code: 'AccessDenied', message: 'Access Denied' });
    const r = await run(['deliver', '--bundle', fx.bundle.path, '--to', 's3', '--json'], withDelivery(S3_DELIVERY));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { target: 's3', code: 'AccessDenied' } });
    expect(r.stderr).toMatch(/auditpack: deliver: upload to s3:\/\/northwind-deliveries\/packs\/northwind-2026-10\.zip failed: AccessDenied/);
    expect(r.stdout + r.stderr).not.toContain(CREDS.secretAccessKey);
  });

  it('--to audit-manager: exit 0 when everything is imported, 1 when something is deferred; --dry-run changes nothing', async () => {
    const am = mockClient(AuditManagerClient);
    try {
      am.on(GetAssessmentCommand).resolves({
        assessment: {
          metadata: { id: ASSESSMENT, name: 'SOC 2 2026', status: 'ACTIVE' },
          framework: { metadata: { name: 'SOC 2' }, controlSets: [{ id: 'Monitoring', controls: [{ id: CONTROL, name: 'CC7.2 - The entity monitors system components', status: 'UNDER_REVIEW' }] }] },
        },
      });
      am.on(GetEvidenceFileUploadUrlCommand).callsFake((i: { fileName: string }) => ({ uploadUrl: `${fake.endpoint}/am-uploads/cli/${i.fileName}`, evidenceFileName: `x-${i.fileName}` }));
      am.on(BatchImportEvidenceToAssessmentControlCommand).resolves({ errors: [] });
      const cfg = withDelivery({ auditManager: { assessmentId: ASSESSMENT, region: 'eu-west-1' } });

      const dry = await run(['deliver', '--bundle', fx.bundle.path, '--to', 'audit-manager', '--run', fx.pack.runId, '--dry-run'], cfg);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^Would import 1 evidence file\(s\) into 1 control\(s\) of Audit Manager assessment SOC 2 2026 0f1e2d3c/);
      expect(am.commandCalls(BatchImportEvidenceToAssessmentControlCommand)).toHaveLength(0);

      const real = await run(['deliver', '--bundle', fx.bundle.path, '--to', 'audit-manager', '--run', fx.pack.runId, '--json'], cfg);
      expect(real.code).toBe(0);
      expect(JSON.parse(real.stdout)).toMatchObject({ ok: true, receipt: { kind: 'audit-manager', imported: [{ controlId: CONTROL, auditpackControls: ['soc2:CC7.2'] }] } });
      expect(am.commandCalls(BatchImportEvidenceToAssessmentControlCommand)).toHaveLength(1);

      // Another assessment with the same control, the same day, after the daily quota is used up: deferred, exit 1.
      await fx.pack.store.putState(`delivery/audit-manager/daily/${CONTROL}/2026-11-03`, { version: 1, controlId: CONTROL, day: '2026-11-03', count: 100 });
      const cfg2 = withDelivery({ auditManager: { assessmentId: ASSESSMENT.replace(/^0/, '1'), region: 'eu-west-1' } });
      const deferred = await run(['deliver', '--bundle', fx.bundle.path, '--to', 'audit-manager', '--run', fx.pack.runId], cfg2);
      expect(deferred.code).toBe(1);
      expect(deferred.stdout).toMatch(/wait CC7\.2 - The entity monitors system components: daily-limit: 1 of 1 file\(s\) wait for the next UTC day/);
    } finally {
      am.restore();
    }
  });

  it('bad input exits 2: flags, an unknown target, an unconfigured target, a bundle that fails verification, a bad delivery section', async () => {
    const cases: [string[], RegExp, ((f: string | undefined) => LoadedConfig)?][] = [
      [['deliver', '--to', 'dir'], /required option '--bundle <file>' not specified/],
      [['deliver', '--bundle', fx.bundle.path, '--to', 'ftp'], /--to: "ftp" is not a target \(s3, dir, audit-manager\)/],
      [['deliver', '--bundle', fx.bundle.path, '--to', 's3'], /--to s3 needs delivery\.s3 in the config/],
      [['deliver', '--bundle', fx.bundle.path, '--to', 'dir'], /--to dir needs --dir DIR or delivery\.directory\.path/],
      [['deliver', '--bundle', fx.bundle.path, '--to', 'dir', '--dry-run', '--dir', fx.root], /--run and --dry-run apply to --to audit-manager only/],
      [['deliver', '--bundle', path.join(fx.root, 'missing.zip'), '--to', 'dir', '--dir', path.join(fx.root, 'x')], /cannot be read \(ENOENT\)/],
      [['deliver', '--bundle', tamperedCopy(fx.bundle.path, fx.root), '--to', 'dir', '--dir', path.join(fx.root, 'y')], /fails verification, so it is not delivered/],
      [['deliver', '--bundle', fx.bundle.path, '--to', 's3'], /delivery\.s3\.presignExpiresSeconds/, withDelivery({ s3: { ...S3_DELIVERY.s3, presignExpiresSeconds: 999_999 } })],
      [['deliver', '--bundle', fx.bundle.path, '--to', 'audit-manager'], /delivery\.auditManager\.assessmentId/, withDelivery({ auditManager: { assessmentId: 'nope', region: 'eu-west-1' } })],
    ];
    for (const [args, message, cfg] of cases) {
      const r = await run(args, cfg);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--help documents the exit codes', async () => {
    const r = await run(['deliver', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes: 0 delivered, 1 delivery failed or incomplete .* 2 bad input/);
  });
});
