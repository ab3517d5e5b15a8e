import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../bundle/helpers.js';

const tmp = tempDir('auditpack-keys-cli-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('auditpack keys init', () => {
  it('writes a development CA and signer (keys 0600), warns loudly, never prints key material, and will not overwrite', () => {
    const r = runCli(['keys', 'init', '--dir', 'dev', '--key-type', 'ec', '--organisation', 'Northwind Health AI'], tmp);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/DEVELOPMENT KEYS ONLY: NOT FOR REAL AUDITS/);
    expect(r.stdout).toMatch(/signing:\n {2}type: local\n {2}key: dev\/signer\.key\n {2}certificates: dev\/signer-chain\.pem/);
    expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY/);
    const dir = path.join(tmp, 'dev');
    expect(readdirSync(dir).sort()).toEqual(['dev-ca.key', 'dev-ca.pem', 'signer-chain.pem', 'signer.key']);
    expect(statSync(path.join(dir, 'signer.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'dev-ca.key')).mode & 0o777).toBe(0o600);
    const key = readFileSync(path.join(dir, 'signer.key'), 'utf8');
    const again = runCli(['keys', 'init', '--dir', 'dev'], tmp);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(use --force/);
    expect(readFileSync(path.join(dir, 'signer.key'), 'utf8')).toBe(key);
    expect(runCli(['keys', 'init', '--dir', 'x', '--key-type', 'dsa'], tmp).code).toBe(2);
    expect(runCli(['keys', 'init', '--help'], tmp).stdout).toMatch(/Exit codes/);
    expect(runCli(['verify', '--help'], tmp).stdout).toMatch(/Exit codes: 0 valid/);
  });
});
