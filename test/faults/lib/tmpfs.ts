/**
 * Small tmpfs mounts for the disk-full scenarios (root only). `mountTmpfs` fails the scenario with a clear message
 * when the mount is refused (not root, no CAP_SYS_ADMIN): the scenario must not pass without its disk.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

function run(args: readonly string[]): void {
  try {
    execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`${args.join(' ')} failed: ${e.stderr?.toString('utf8').trim() || e.message}`);
  }
}

export class TmpfsMount {
  mounted = false;

  constructor(
    readonly dir: string,
    private sizeKb: number,
  ) {}

  mount(): void {
    mkdirSync(this.dir, { recursive: true });
    try {
      run(['mount', '-t', 'tmpfs', '-o', `size=${this.sizeKb}k,mode=0755`, 'tmpfs', this.dir]);
    } catch (err) {
      throw new Error(
        `the disk-full scenario needs a small tmpfs and so root (mount -t tmpfs): ${(err as Error).message}`,
      );
    }
    this.mounted = true;
  }

  /** Grows (or shrinks) the mount in place; what is on it stays. */
  resize(sizeKb: number): void {
    run(['mount', '-o', `remount,size=${sizeKb}k`, this.dir]);
    this.sizeKb = sizeKb;
  }

  get size(): number {
    return this.sizeKb;
  }

  /** Lazy unmount: works even while a killed process still had a file open. */
  unmount(): void {
    if (!this.mounted) return;
    run(['umount', '-l', this.dir]);
    this.mounted = false;
  }
}
