// The commands as child processes: `pack --queue` enqueues the flow and follows it to its exit code (0/1),
// against a worker process; `serve` answers with hashed tokens and stops on SIGTERM; bad input is exit 2 and an
// unreachable Redis exit 3.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenVerifier, newToken, hashToken } from '../../src/api/auth.js';
import { devSigner } from '../fixtures/bundle/pack.js';
import {
  cleanupPrefix,
  QUEUE_CLI,
  REDIS_URL,
  runQueueCli,
  smallExport,
  spawnWorker,
  tempDir,
  uniquePrefix,
  writeConfig,
  type SpawnedWorker,
  killAll,
  removeTempDirs,
} from './helpers.js';

const prefix = uniquePrefix();
const servePrefix = uniquePrefix();
const tmp = tempDir('auditpack-qcli-');
const spawned: SpawnedWorker[] = [];

afterAll(async () => {
  await killAll(spawned);
  await cleanupPrefix(prefix);
  await cleanupPrefix(servePrefix);
  removeTempDirs();
});

const env = { AUDITPACK_REDIS_URL: REDIS_URL };

describe('auditpack pack --queue', () => {
  it('follows the run on a worker process and exits by outcome', async () => {
    const source = await smallExport();
    const signer = await devSigner(path.join(tmp, 'keys'));
    const config = writeConfig(tmp, {
      organisation: { name: 'Northwind Health AI' },
      scope: { accounts: [{ id: '111122223333', name: 'prod' }], regions: ['eu-west-1'] },
      store: { path: path.join(tmp, 'store') },
      signing: signer.config,
      queue: { prefix, backoffMs: 200, directoryTargets: { archive: path.join(tmp, 'archive') } },
    });
    const worker = spawnWorker(['--config', config, '--health-port', '0'], env);
    spawned.push(worker);
    const ready = await worker.waitForLog((l) => l.event === 'worker_ready');
    expect(ready['queues']).toEqual(['collect', 'pack', 'deliver']);

    const out = path.join(tmp, 'out');
    const args = [
      'pack',
      '--queue',
      '--config',
      config,
      '--source',
      source,
      '--framework',
      'gdpr',
      '--period',
      '2026-10',
      '--as-of',
      '2026-11-02T00:00:00Z',
      '--out',
      out,
      '--deliver',
      'archive',
    ];
    const run = await runQueueCli([...args, '--json'], env);
    expect(run.stderr).toMatch(/run pack-2026-10-[a-f0-9]{12}: queued/);
    expect(run.stderr).toMatch(/^collect: /m);
    expect(run.stderr).toMatch(/^render: /m);
    expect(run.stderr).toMatch(/^bundle: /m);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as {
      id: string;
      state: string;
      result: { bundle: { path: string } };
      delivery: { state: string };
    };
    expect(status.state).toBe('completed');
    expect(status.delivery.state).toBe('completed');
    expect(path.dirname(status.result.bundle.path)).toBe(out);

    // The same pinned request again: nothing is queued, the finished run answers; a --fail-on gate gives exit 1.
    const gated = await runQueueCli([...args, '--fail-on', 'gap'], env);
    expect(gated.stderr).toMatch(new RegExp(`run ${status.id}: already completed \\(not queued again\\)`));
    expect(gated.stdout).toMatch(new RegExp(`^Run ${status.id}: completed \\(pack pack-[a-f0-9]+\\)`));
    expect(gated.code).toBe(1);

    const detached = await runQueueCli(
      ['pack', '--queue', '--detach', '--config', config, '--framework', 'gdpr', '--period', '2026-09', '--out', out],
      env,
    );
    expect(detached.code).toBe(0);
    expect(detached.stdout.trim()).toMatch(/^pack-2026-09-[a-f0-9]{12}$/);

    expect(
      (
        await runQueueCli(
          ['pack', '--queue', '--config', config, '--source', path.join(tmp, 'missing'), '--framework', 'gdpr'],
          env,
        )
      ).code,
    ).toBe(2);
    expect((await runQueueCli(['pack', '--queue', '--config', config, '--framework', 'nope'], env)).code).toBe(2);
    const noRedis = await runQueueCli(['pack', '--queue', '--config', config, '--framework', 'gdpr'], {
      AUDITPACK_REDIS_URL: 'redis://127.0.0.1:1/0',
    });
    expect(noRedis.code).toBe(3);
    expect(noRedis.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0/);

    // A second worker on the same host needs its own health port: a clear exit 2, no half-started worker.
    const clash = spawnWorker(['--config', config, '--health-port', String(ready['healthPort'])], env);
    spawned.push(clash);
    expect(await clash.exited).toBe(2);
    expect(clash.stderr()).toMatch(/--health-port: health port 127\.0\.0\.1:\d+ is in use/);

    // The health check reports the queues; SIGTERM stops the worker cleanly.
    const health = (await (await fetch(`http://127.0.0.1:${ready['healthPort'] as number}/healthz`)).json()) as {
      status: string;
      queues: Record<string, { completed: number }>;
    };
    expect(health.status).toBe('ok');
    expect(health.queues['pack']!.completed).toBeGreaterThanOrEqual(1);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 600_000);
});

describe('auditpack serve', () => {
  it('hashes tokens from stdin, serves with them, and stops on SIGTERM', async () => {
    const token = newToken();
    const hashed = await runQueueCli(['serve', '--hash-token'], env, { input: `${token}\n` });
    expect(hashed.code).toBe(0);
    const hash = hashed.stdout.trim();
    expect(hash).toMatch(/^scrypt:16384:8:1:/);
    expect(hashed.stdout + hashed.stderr).not.toContain(token);
    expect(await new TokenVerifier([{ name: 'x', role: 'officer', hash, packs: [] }]).verify(token)).toMatchObject({
      name: 'x',
      role: 'officer',
    });

    const dir = tempDir('auditpack-serve-');
    const noTokens = writeConfig(dir, { organisation: { name: 'N' }, queue: { prefix: servePrefix } });
    expect((await runQueueCli(['serve', '--config', noTokens], env)).code).toBe(2);
    const plain = writeConfig(tempDir('auditpack-serve-'), {
      organisation: { name: 'N' },
      queue: { prefix: servePrefix },
      api: { tokens: [{ name: 'a', role: 'officer', hash: token }] },
    });
    const refused = await runQueueCli(['serve', '--config', plain], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/api\.tokens\.0\.hash: a hashed token/);
    expect(refused.stderr).not.toContain(token);

    const officer = newToken();
    const config = writeConfig(dir, {
      organisation: { name: 'N' },
      queue: { prefix: servePrefix },
      api: {
        listen: { host: '127.0.0.1', port: 0 },
        tokens: [{ name: 'olivia', role: 'officer', hash: await hashToken(officer, 'sha256') }],
      },
    });
    const server = spawnWorker(['serve', '--config', config], env, QUEUE_CLI);
    spawned.push(server);
    const listening = await server.waitForLog((l) => l.event === 'api_listening');
    const address = listening['address'] as string;
    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await health.json()).toEqual({ status: 'ok', redis: 'up' });
    expect((await fetch(`${address}/packs`)).status).toBe(401);
    const list = await fetch(`${address}/packs`, { headers: { authorization: `Bearer ${officer}` } });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ packs: [] });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).not.toContain(officer);
  }, 300_000);
});
