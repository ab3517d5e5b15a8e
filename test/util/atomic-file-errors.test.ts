// writeFileAtomic names the file in its errors (found by the fault suite: a full output disk failed the pack job
// with just "ENOSPC: no space left on device, write"), keeps the code the retry policy looks at, and leaves no
// temp file behind.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { namedFileError, writeFileAtomic } from '../../src/util/atomic-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'auditpack-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic failures', () => {
  it('names the target and keeps the errno code; no temp file is left', async () => {
    const target = path.join(dir, 'results.json');
    mkdirSync(target);
    writeFileSync(path.join(target, 'occupied'), 'x');
    const err = (await writeFileAtomic(target, '{}').catch((e: unknown) => e)) as NodeJS.ErrnoException;
    // A rename error already names both paths: the message stays as it is.
    expect(err.message).toContain(target);
    expect(err.code).toMatch(/^E(ISDIR|NOTEMPTY|EXIST)$/);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('turns an ENOSPC without a path into one that names the file, still ENOSPC', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const named = namedFileError(enospc, '/mnt/out/pack.pdf') as NodeJS.ErrnoException;
    expect(named.message).toBe('cannot write /mnt/out/pack.pdf: ENOSPC: no space left on device, write');
    expect([named.code, named.errno, named.syscall]).toEqual(['ENOSPC', -28, 'write']);
    expect(named.cause).toBe(enospc);
  });
});
