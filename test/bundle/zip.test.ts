import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/bundle/verify.js';
import { ZipWriter, dosDateTime } from '../../src/bundle/zip-writer.js';
import { readAll, scanZip } from '../../src/bundle/zip-reader.js';
import { craftZip, readZip, runCli, tempDir } from './helpers.js';

const tmp = tempDir('auditpack-zip-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DATE = new Date('2026-11-02T00:00:00Z');

async function writeSample(file: string): Promise<void> {
  const zip = await ZipWriter.create(file, { date: DATE });
  await zip.addBuffer('b/text.json', Buffer.from(JSON.stringify({ hello: 'world' }).repeat(100)));
  await zip.addBuffer('a/already.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  await zip.addStream('c/streamed.txt', (function* () {
    for (let i = 0; i < 50; i++) yield Buffer.from(`line ${i}\n`.repeat(1000));
  })(), { sizeHint: 400_000 });
  await zip.addBuffer('empty.txt', Buffer.alloc(0));
  await zip.finish();
}

describe('zip writer', () => {
  it('writes zips that unzip -t accepts, stores .gz, deflates text, sorts the central directory and is byte-for-byte reproducible', async () => {
    const a = path.join(tmp, 'a.zip');
    const b = path.join(tmp, 'b.zip');
    await writeSample(a);
    await writeSample(b);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const t = spawnSync('unzip', ['-t', a], { encoding: 'utf8' });
    expect(t.stdout).toMatch(/No errors detected/);
    const v = spawnSync('unzip', ['-Z', '-v', a], { encoding: 'utf8' }).stdout;
    expect(v).toMatch(/a\/already\.gz[\s\S]*?compression method:\s+none \(stored\)/);
    expect(v).toMatch(/b\/text\.json[\s\S]*?compression method:\s+deflated/);
    const listing = spawnSync('unzip', ['-Z1', a], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(listing).toEqual(['a/already.gz', 'b/text.json', 'c/streamed.txt', 'empty.txt']);
    expect(spawnSync('unzip', ['-l', a], { encoding: 'utf8' }).stdout).toMatch(/2026-11-02 00:00/);
    const entries = await readZip(a);
    expect(entries.get('c/streamed.txt')!.toString()).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`.repeat(1000)).join(''));
    expect(dosDateTime(new Date('1970-01-01T00:00:00Z'))).toEqual({ date: 33, time: 0 });
  });

  it('refuses unsafe or duplicate names and leaves no partial file behind', async () => {
    const file = path.join(tmp, 'refused.zip');
    const zip = await ZipWriter.create(file, { date: DATE });
    for (const bad of ['../x', '/abs', 'a/../b', 'a\\b', 'C:/x', 'a//b', './a']) await expect(zip.addBuffer(bad, Buffer.from('x'))).rejects.toThrow(/unsafe entry name/);
    await zip.addBuffer('ok.txt', Buffer.from('x'));
    await expect(zip.addBuffer('ok.txt', Buffer.from('y'))).rejects.toThrow(/duplicate/);
    await zip.abort();
    expect(readdirSync(tmp).filter((n) => n.includes('refused'))).toEqual([]);
  });

  it('switches to zip64 records past 65,535 entries, and both unzip and yauzl read it', async () => {
    const file = path.join(tmp, 'many.zip');
    const zip = await ZipWriter.create(file, { date: DATE });
    const n = 65_600;
    for (let i = 0; i < n; i++) await zip.addBuffer(`f/${String(i).padStart(6, '0')}`, Buffer.from(String(i)));
    await zip.finish();
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // zip64 end of central directory
    let count = 0;
    await scanZip(file, async (e) => {
      if (count === 65_599) expect((await readAll(await e.open(), 100, e.name)).toString()).toBe('65599');
      count++;
    });
    expect(count).toBe(n);
    expect(spawnSync('unzip', ['-t', '-q', file], { encoding: 'utf8' }).stdout).toMatch(/No errors detected/);
  });
});

describe('hostile archives are refused without extracting anything', () => {
  const cases: [string, Parameters<typeof craftZip>[0], RegExp][] = [
    ['a ../ path', [{ name: '../x', data: Buffer.from('escape') }], /unsafe entry "\.\.\/x": parent-directory/],
    ['an absolute path', [{ name: '/abs', data: Buffer.from('root') }], /unsafe entry "\/abs": absolute path/],
    ['a nested ../ path', [{ name: 'evidence/../../x', data: Buffer.from('escape') }], /parent-directory/],
    ['a symlink entry', [{ name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }], /unsafe entry "link": symbolic link/],
    [
      'duplicate names',
      [
        { name: 'README.txt', data: Buffer.from('one') },
        { name: 'README.txt', data: Buffer.from('two') },
      ],
      /unsafe entry "README\.txt": duplicate name/,
    ],
    ['a backslash path', [{ name: '..\\x', data: Buffer.from('escape') }], /backslash/],
  ];

  it.each(cases)('%s', async (_label, entries, expected) => {
    const work = tempDir('hostile-');
    const file = path.join(work, 'hostile.zip');
    writeFileSync(file, craftZip([...entries, { name: 'manifest.json', data: Buffer.from('{}') }]));
    const report = await verifyBundle(file, {});
    expect(report.status).not.toBe('valid');
    expect(report.problems.join('\n')).toMatch(expected);
    // Nothing was written: the work directory holds only the zip, and nothing appeared beside it.
    expect(readdirSync(work)).toEqual(['hostile.zip']);
    expect(readdirSync(path.dirname(work)).filter((n) => n === 'x' || n === 'abs' || n === 'link')).toEqual([]);
    rmSync(work, { recursive: true, force: true });
  });

  it('the CLI exits 2 for something that is not a zip or has no manifest, 1 for a hostile bundle', () => {
    const work = tempDir('hostile-cli-');
    writeFileSync(path.join(work, 'not.zip'), 'plain text');
    expect(runCli(['verify', 'not.zip'], work).code).toBe(2);
    writeFileSync(path.join(work, 'empty.zip'), craftZip([{ name: 'hello.txt', data: Buffer.from('hi') }]));
    const empty = runCli(['verify', 'empty.zip', '--json'], work);
    expect(empty.code).toBe(2);
    expect(JSON.parse(empty.stdout)).toMatchObject({ status: 'unreadable', problems: [expect.stringMatching(/no manifest\.json/)] });
    writeFileSync(path.join(work, 'evil.zip'), craftZip([{ name: '../evil', data: Buffer.from('x') }, { name: 'manifest.json', data: Buffer.from(JSON.stringify({ format: 'auditpack-bundle/1', pack: { id: 'p', organisation: 'o', period: { label: '2026-10' }, generatedAt: 't', generator: { name: 'g', version: '1' } }, files: [] })) }]));
    const evil = runCli(['verify', 'evil.zip'], work);
    expect(evil.code).toBe(1);
    expect(evil.stdout).toMatch(/unsafe entry "\.\.\/evil"/);
    expect(readdirSync(work).sort()).toEqual(['empty.zip', 'evil.zip', 'not.zip']);
    expect(readdirSync(path.dirname(work))).not.toContain('evil');
    rmSync(work, { recursive: true, force: true });
  });
});
