import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkExportDir, type WalkResult } from '../../src/sources/export-dir/walk.js';

/** What collectExportDir keeps of a walk for some prefixes (files and refusals under one, directories inside one). */
function under(w: WalkResult, prefixes: readonly string[]) {
  const inside = (rel: string): boolean => prefixes.some((p) => rel.startsWith(p));
  return { files: w.files.filter(inside), dirs: w.dirs.filter((d) => inside(`${d}/`)), refused: w.refused.filter((r) => inside(r.path)) };
}

describe('walkExportDir with prefixes', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'auditpack-walk-'));
    const files = [
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/a.json.gz',
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/b.json.gz',
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/c.json.gz',
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/012/odd.json.gz',
      'AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/d.json.gz',
      'AWSLogs/444455556666/CloudTrail/eu-west-1/2026/10/01/e.json.gz',
      'cli/111122223333/eu-west-1/cloudtrail/describe-trails.json',
      'top.json',
    ];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), 'x');
    }
    mkdirSync(path.join(root, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/empty'), { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/']],
    [['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01']], // no trailing slash: also the 012 folder, as a string prefix
    [['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/02/', 'AWSLogs/444455556666/']],
    [['AWSLogs/111122223333/CloudTrail/eu-west-1/2026/']],
    [['cli/', 'top.json']],
    [['AWSLogs/9']],
    [[]],
  ])('gives what a full walk filtered by %j gives', async (prefixes) => {
    const full = under(await walkExportDir(root), prefixes);
    const pruned = under(await walkExportDir(root, prefixes), prefixes);
    expect(pruned).toEqual(full);
  });

  it('does not enter directories outside every prefix', async () => {
    const w = await walkExportDir(root, ['AWSLogs/444455556666/']);
    expect(w.files).toEqual(['AWSLogs/444455556666/CloudTrail/eu-west-1/2026/10/01/e.json.gz', 'top.json']);
  });
});
