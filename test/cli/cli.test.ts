import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules/.bin/tsx');
const MAIN = path.resolve('src/cli/main.ts');
const tmp = mkdtempSync(path.join(tmpdir(), 'auditpack-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(TSX, [MAIN, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, CI: 'true', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('auditpack CLI', () => {
  it.each([[[]], [['collect']], [['assess']], [['pack']], [['config', 'check']], [['frameworks', 'list']], [['demo']]])('%j --help documents the command and its exit codes', (args) => {
    const r = run([...args, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: auditpack/);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  it('config check: valid file exits 0, invalid names the key and the problem and exits 1', () => {
    const good = path.join(tmp, 'good.yaml');
    writeFileSync(good, 'organisation: { name: Acme }\nscope: { accounts: [{ id: "111122223333" }], regions: [eu-west-1] }\n');
    expect(run(['config', 'check', good])).toMatchObject({ code: 0, stdout: `${good}: valid\n` });
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'organisation: { name: Acme }\nscope: { accounts: [{ id: "1234" }], regions: [Frankfurt] }\nfrobnicate: 1\n');
    const r = run(['config', 'check', bad, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; problems: string[] };
    expect(out.valid).toBe(false);
    expect(out.problems).toEqual([
      'scope.accounts.0.id: expected a 12-digit AWS account id',
      'scope.regions.0: expected an AWS region code such as eu-west-1',
      '(top level): unknown key(s) "frobnicate"',
    ]);
    const text = run(['config', 'check', bad]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(`${bad} is invalid:\n  - scope.accounts.0.id: expected a 12-digit AWS account id\n  - scope.regions.0: expected an AWS region code such as eu-west-1\n  - (top level): unknown key(s) "frobnicate"\n`);
  });

  it('bad flags exit 2 with a message naming the flag, and change nothing', () => {
    const store = path.join(tmp, 'store-untouched');
    const r = run(['assess', '--period', '2026-13', '--store', store]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--period: period "2026-13": month must be 01-12/);
    const f = run(['assess', '--framework', 'soc2,iso9001', '--store', store]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/--framework: unknown framework\(s\) iso9001 \(known: gdpr, hipaa, soc2\)/);
    const s = run(['collect', '--source', path.join(tmp, 'missing'), '--store', store]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/--source: export directory .*missing: does not exist/);
    expect(run(['nonsense']).code).toBe(2);
  });

  it('collect --live without AWS credentials exits 2 saying so, not as an unexpected failure', () => {
    const none = path.join(tmp, 'no-such-aws-file');
    const env: Record<string, string> = {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
    };
    const r = run(['collect', '--live', '--regions', 'eu-west-1', '--store', path.join(tmp, 'store-nocreds')], env);
    expect(r.stderr).toMatch(/sts:GetCallerIdentity: CredentialsProviderError: .*\(no AWS credentials: set AWS_PROFILE/);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(r.code).toBe(2);
  });

  it('frameworks list --json gives every catalog with its hash', () => {
    const r = run(['frameworks', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; controls: number; sha256: string }[];
    expect(rows.map((x) => x.id)).toEqual(['gdpr', 'hipaa', 'soc2']);
    for (const row of rows) expect(row.sha256).toMatch(/^[a-f0-9]{64}$/);
  });
});

describe('auditpack schema', () => {
  it('prints JSON Schemas that validate real documents', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const framework = JSON.parse(run(['schema', 'framework']).stdout) as object;
    expect(ajv.validate(framework, parse(readFileSync(path.resolve('frameworks/hipaa.yaml'), 'utf8')))).toBe(true);
    const config = JSON.parse(run(['schema', 'config']).stdout) as object;
    expect(ajv.validate(config, parse(readFileSync(path.resolve('examples/northwind/auditpack.yaml'), 'utf8')))).toBe(true);
    expect(ajv.validate(config, { organisation: {}, bogus: 1 })).toBe(false);
    const item = JSON.parse(run(['schema', 'evidence-item']).stdout) as { required: string[] };
    expect(item.required).toEqual(expect.arrayContaining(['id', 'provenance', 'status', 'observedAt', 'collectedAt']));
    expect(run(['schema', 'nope']).code).toBe(2);
  });
});
