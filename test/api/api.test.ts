// The HTTP API on the real Redis: roles (officer triggers and reads, an auditor downloads only what is shared with
// them, an operator sees the dashboard), 401 vs 403, per-address brute-force limiting (429), security headers on
// every response, validated bodies (400 naming the field), and a streamed bundle download.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newToken } from '../../src/api/auth.js';
import { ApiSection } from '../../src/api/config.js';
import { buildApi } from '../../src/api/server.js';
import { loadConfigFile } from '../../src/config/load.js';
import { LocalDirectoryStore } from '../../src/evidence/local-store.js';
import type { QueueAwareConfig } from '../../src/queue/config.js';
import { producerTarget } from '../../src/queue/connection.js';
import { workerDeps } from '../../src/queue/deps.js';
import { openQueues, type QueueHandles } from '../../src/queue/queues.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../src/queue/runtime.js';
import { SchedulesSection } from '../../src/queue/settings.js';
import { packStatus } from '../../src/queue/status.js';
import {
  cleanupPrefix,
  FIXED_NOW,
  ROOT,
  tempDir,
  testSettings,
  testTarget,
  uniquePrefix,
  waitFor,
  removeTempDirs,
} from '../queue/helpers.js';

const prefix = uniquePrefix();
const tmp = tempDir('auditpack-api-');
const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
const TOKENS = { officer: newToken(), auditor: newToken(), operator: newToken(), other: newToken() };
const logLines: string[] = [];
let queues: QueueHandles;
let app: FastifyInstance;
let runtime: WorkerRuntime | undefined;

const sourceDir = path.join(tmp, 'exports', 'northwind');

beforeAll(async () => {
  mkdirSync(sourceDir, { recursive: true });
  const settings = ApiSection.parse({
    tokens: [
      { name: 'olivia', role: 'officer', hash: await hashToken(TOKENS.officer, 'sha256') },
      // A person-chosen token would be scrypt-hashed; both forms are accepted.
      {
        name: 'ext-auditor',
        role: 'auditor',
        hash: await hashToken(TOKENS.auditor, 'scrypt'),
        packs: ['pack-2026-10-*'],
      },
      { name: 'ops', role: 'operator', hash: await hashToken(TOKENS.operator, 'sha256') },
    ],
    rateLimit: { maxFailures: 5, windowSeconds: 600 },
    sources: { northwind: sourceDir },
  });
  queues = openQueues(producerTarget(testTarget(prefix)), testSettings(prefix));
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString('utf8'));
      cb();
    },
  });
  app = await buildApi({
    settings,
    queues,
    loaded,
    signing: true,
    outDir: path.join(tmp, 'out'),
    sources: { northwind: sourceDir },
    now: () => new Date(FIXED_NOW),
    logger: pino({ level: 'info' }, sink),
    redisUp: () => Promise.resolve(true),
  });
  await app.ready();
});

afterAll(async () => {
  // Keep-alive connections of the download test would hold close() until they time out.
  app?.server.closeAllConnections();
  await app?.close();
  await runtime?.close(5000);
  await queues?.close();
  await cleanupPrefix(prefix);
  removeTempDirs();
}, 180_000);

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const trigger = (token: string, body: unknown, remoteAddress = '10.0.0.1'): Promise<LightMyRequestResponse> =>
  app.inject({
    method: 'POST',
    url: '/packs',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
    remoteAddress,
  });
const get = (url: string, token?: string, remoteAddress = '10.0.0.1'): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url, headers: token ? bearer(token) : {}, remoteAddress });

function expectSecurityHeaders(res: LightMyRequestResponse, dashboard = false): void {
  expect(res.headers['content-security-policy']).toMatch(
    dashboard ? /default-src 'self'.*frame-ancestors 'none'/ : /^default-src 'none'.*frame-ancestors 'none'/,
  );
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['cache-control']).toBe('no-store');
}

let packA: string;
let packB: string;

describe('authentication and roles', () => {
  it('401 without or with a wrong token, 403 for a role that may not', async () => {
    const none = await get('/packs');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await get('/packs', TOKENS.other, '10.9.9.9')).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/packs', headers: { authorization: 'Token abc' } })).statusCode,
    ).toBe(401);
    expect((await trigger(TOKENS.auditor, { period: '2026-10' })).statusCode).toBe(403);
    expect((await trigger(TOKENS.operator, { period: '2026-10' })).statusCode).toBe(403);
  });

  it('lets an officer trigger (once per identical request), list and read a pack', async () => {
    const a = await trigger(TOKENS.officer, { frameworks: ['gdpr'], period: '2026-10', sources: ['northwind'] });
    expect(a.statusCode).toBe(202);
    const body = a.json<{ id: string; created: boolean; statusUrl: string; bundleUrl: string }>();
    expect(body).toMatchObject({
      created: true,
      statusUrl: `/packs/${body.id}`,
      bundleUrl: `/packs/${body.id}/bundle`,
    });
    packA = body.id;
    expect(packA).toMatch(/^pack-2026-10-/);
    const again = await trigger(TOKENS.officer, { frameworks: ['gdpr'], period: '2026-10', sources: ['northwind'] });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: packA, created: false });
    const b = await trigger(TOKENS.officer, { frameworks: ['gdpr'], period: '2026-09' });
    expect(b.statusCode).toBe(202);
    packB = b.json<{ id: string }>().id;

    const list = await get('/packs', TOKENS.officer);
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json<{ packs: { id: string }[] }>()
        .packs.map((p) => p.id)
        .sort(),
    ).toEqual([packA, packB].sort());
    const status = await get(`/packs/${packA}`, TOKENS.officer);
    expect(status.statusCode).toBe(200);
    const s = status.json<{
      id: string;
      state: string;
      stages: Record<string, { state: string }>;
      trigger: { by: string; name: string };
    }>();
    expect(s).toMatchObject({ id: packA, state: 'collecting', trigger: { by: 'api', name: 'olivia' } });
    expect(Object.keys(s.stages)).toEqual(['collect', 'assess', 'render', 'bundle', 'deliver']);
    expect(JSON.stringify(s)).not.toContain(tmp); // no server paths
    expect((await get('/packs/pack-2026-10-000000000000', TOKENS.officer)).statusCode).toBe(404);
    // Not finished: no bundle yet.
    expect((await get(`/packs/${packA}/bundle`, TOKENS.officer)).statusCode).toBe(409);
  });

  it('gives an auditor nothing but the downloads shared with them', async () => {
    expect((await get('/packs', TOKENS.auditor)).statusCode).toBe(403);
    expect((await get(`/packs/${packA}`, TOKENS.auditor)).statusCode).toBe(403);
    expect((await get(`/packs/${packB}/bundle`, TOKENS.auditor)).statusCode).toBe(403);
    expect((await get('/packs/pack-2026-09-0123456789ab/bundle', TOKENS.auditor)).statusCode).toBe(403);
    expect((await get('/admin/queues', TOKENS.auditor)).statusCode).toBe(403);
    // Shared, but not finished yet.
    expect((await get(`/packs/${packA}/bundle`, TOKENS.auditor)).statusCode).toBe(409);
  });

  it('puts the dashboard behind officer/operator auth (Bearer or Basic)', async () => {
    const anonymous = await get('/admin/queues');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
    expectSecurityHeaders(anonymous, true);
    const page = await get('/admin/queues', TOKENS.operator);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expectSecurityHeaders(page, true);
    const basic = await app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { authorization: `Basic ${Buffer.from(`ops:${TOKENS.officer}`).toString('base64')}` },
    });
    expect(basic.statusCode).toBe(200);
    expect(JSON.stringify(basic.json())).toContain('collect');
    // Basic is for the dashboard only.
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/packs',
          headers: { authorization: `Basic ${Buffer.from(`x:${TOKENS.officer}`).toString('base64')}` },
        })
      ).statusCode,
    ).toBe(401);
  });
});

describe('request validation', () => {
  it('answers 400 naming the field at fault', async () => {
    const cases: [unknown, string][] = [
      [{ frameworks: ['gdpr', 'nope'] }, 'frameworks.1'],
      [{ period: 'October' }, 'period'],
      [{ sources: ['/etc'] }, 'sources.0'],
      [{ asOf: 'yesterday' }, 'asOf'],
      [{ frameworks: 'gdpr' }, 'frameworks'],
      [{ deliver: ['archive'], bundle: false }, 'deliver'],
      [{ period: '2026-10', outDir: '/tmp/x' }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await trigger(TOKENS.officer, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json<{ issues: { field: string }[] }>().issues.map((i) => i.field)).toContain(field);
      expectSecurityHeaders(res);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/packs',
      headers: { ...bearer(TOKENS.officer), 'content-type': 'text/plain' },
      payload: 'period=2026-10',
    });
    expect(notJson.statusCode).toBe(415);
    const broken = await app.inject({
      method: 'POST',
      url: '/packs',
      headers: { ...bearer(TOKENS.officer), 'content-type': 'application/json' },
      payload: '{"period":',
    });
    expect(broken.statusCode).toBe(400);
    expect((await get('/packs/bad:id', TOKENS.officer)).statusCode).toBe(400);
    expectSecurityHeaders(await get('/nowhere', TOKENS.officer));
  });
});

describe('brute force', () => {
  it('answers 429 to an address after repeated failures, also for a valid token; other addresses are unaffected', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 5; i++) expect((await get('/packs', newToken(), ip)).statusCode).toBe(401);
    const limited = await get('/packs', newToken(), ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expectSecurityHeaders(limited);
    expect((await get('/packs', TOKENS.officer, ip)).statusCode).toBe(429);
    expect((await get('/packs', TOKENS.officer, '192.0.2.78')).statusCode).toBe(200);
  });
});

describe('bundle download', () => {
  it('streams the signed bundle of a finished pack to an officer and to the auditor it is shared with', async () => {
    // Workers with the real assess stage and stand-ins for render and bundle (a 6 MB file), so this stays quick.
    const settings = testSettings(prefix);
    const cfg: QueueAwareConfig = {
      loaded,
      queue: settings,
      schedules: SchedulesSection.parse({}),
      api: ApiSection.parse({}),
      signing: { type: 'local', key: '/unused', certificates: '/unused' },
    };
    const store = new LocalDirectoryStore(path.join(tmp, 'store'), { fsync: false });
    runtime = await startWorkerRuntime({
      target: testTarget(prefix),
      settings,
      queues: ['collect', 'pack'],
      deps: workerDeps(cfg, {
        store,
        generator: { name: 'auditpack', version: '0.1.0' },
        now: () => new Date(FIXED_NOW),
        stages: {
          render: () => Promise.resolve({ files: [] }),
          bundle: (_ctx, job) => {
            const data = randomBytes(6 * 1024 * 1024);
            mkdirSync(path.dirname(job.bundlePath), { recursive: true });
            writeFileSync(job.bundlePath, data);
            return Promise.resolve({
              path: job.bundlePath,
              sha256: createHash('sha256').update(data).digest('hex'),
              size: data.length,
            });
          },
        },
      }),
      health: null,
    });
    for (const id of [packA, packB]) {
      await waitFor(async () => (await packStatus(queues, id))?.state === 'completed', `pack ${id}`, 300_000);
    }
    const status = await get(`/packs/${packA}`, TOKENS.officer);
    const bundle = status.json<{ result: { bundle: { sha256: string; size: number; url: string } } }>().result.bundle;
    expect(bundle.url).toBe(`/packs/${packA}/bundle`);

    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const token of [TOKENS.officer, TOKENS.auditor]) {
      const res = await fetch(`${address}${bundle.url}`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/zip');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="auditpack-${packA}.zip"`);
      expect(res.headers.get('content-length')).toBe(String(bundle.size));
      expect(res.headers.get('cache-control')).toBe('no-store');
      const hash = createHash('sha256');
      let chunks = 0;
      let bytes = 0;
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks += 1;
        const chunk = value as Uint8Array;
        bytes += chunk.byteLength;
        hash.update(chunk);
      }
      expect(bytes).toBe(bundle.size);
      expect(hash.digest('hex')).toBe(bundle.sha256);
      expect(chunks).toBeGreaterThan(1); // streamed, not sent as one buffer
    }
    // Still nothing else for the auditor: the other finished pack is not shared.
    const refused = await fetch(`${address}/packs/${packB}/bundle`, { headers: bearer(TOKENS.auditor) });
    expect(refused.status).toBe(403);
    await refused.body?.cancel();
    const other = await fetch(`${address}/packs/${packB}/bundle`, { headers: bearer(TOKENS.officer) });
    expect(other.status).toBe(200);
    expect((await other.arrayBuffer()).byteLength).toBe(6 * 1024 * 1024);

    // Tokens never reach the logs.
    const logs = logLines.join('');
    expect(logs).toContain('pack_triggered');
    for (const t of Object.values(TOKENS)) expect(logs).not.toContain(t);
  }, 600_000);
});
