/**
 * A redis-server of the scenario's own, on a free port, with its data in a temp directory and AOF persistence
 * (appendonly yes, appendfsync always): the test can SIGKILL it and start it again on the same port and
 * directory, as a crashed and restarted production Redis. The shared Redis on 6379 is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from '../../queue/helpers.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function redisAnswers(port: number): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export class OwnRedis {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  port = 0;
  starts = 0;
  kills = 0;

  constructor(
    readonly dir: string,
    private readonly persistence: 'aof' | 'none' = 'aof',
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts redis-server (on a free port the first time, on the same port and directory after). */
  async start(): Promise<number> {
    if (this.running) throw new Error(`redis-server on ${this.port} is already running`);
    if (!this.port) this.port = await freePort();
    const persistence =
      this.persistence === 'aof' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', ...persistence, '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    this.child = child;
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
    this.starts += 1;
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`redis-server exited at start: ${stderr.slice(-2000)}`);
        return redisAnswers(this.port);
      },
      `redis-server on ${this.port}`,
      30_000,
      100,
    );
    return this.port;
  }

  /** SIGKILL: no shutdown, no final save (what survives is what the AOF already has). */
  async kill9(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.kills += 1;
  }

  async stop(): Promise<void> {
    await this.kill9();
    this.child = null;
  }
}
