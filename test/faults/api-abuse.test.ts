// The HTTP API under abuse, on the real Redis with a real worker runtime (stand-in render and bundle stages):
// every route of the fastify server is enumerated from the server itself and called as an auditor, anonymously
// and with a bad token; brute force from one address is limited (429) without touching other addresses or being
// bypassed with X-Forwarded-For; tokens only ever exist as hashes; hostile request bodies are refused naming the
// field; and every response of all of the above (errors, 404s, 429s and the streamed download included) carries
// the security headers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
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
import { cleanupPrefix, FIXED_NOW, ROOT, testSettings, testTarget, uniquePrefix, waitFor } from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { hostileTemp, removeHostileTemps } from './lib/hostile-kit.js';

const prefix = uniquePrefix();
const TOKENS = { officer: newToken(), auditor: newToken(), operator: newToken() };
const MAX_FAILURES = 5;
let tmp: string;
let queues: QueueHandles;
let app: FastifyInstance;
let runtime: WorkerRuntime | undefined;
let shared: string;
let notShared: string;
/** Every response seen by this file, for the security-header check. */
const seen: { what: string; res: LightMyRequestResponse }[] = [];

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
async function call(
  what: string,
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; payload?: string | Buffer; remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: opts.headers ?? {},
    ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
    remoteAddress: opts.remoteAddress ?? '10.1.0.1',
  });
  seen.push({ what: `${what}: ${method} ${url} → ${res.statusCode}`, res });
  return res;
}

beforeAll(async () => {
  tmp = hostileTemp('api-abuse');
  const loaded = loadConfigFile(path.join(ROOT, 'examples/northwind/auditpack.yaml'));
  const settings = ApiSection.parse({
    tokens: [
      { name: 'olivia', role: 'officer', hash: await hashToken(TOKENS.officer, 'sha256') },
      {
        name: 'ext-auditor',
        role: 'auditor',
        hash: await hashToken(TOKENS.auditor, 'scrypt'),
        packs: ['pack-2026-10-*'],
      },
      { name: 'ops', role: 'operator', hash: await hashToken(TOKENS.operator, 'sha256') },
    ],
    rateLimit: { maxFailures: MAX_FAILURES, windowSeconds: 600 },
  });
  const qs = testSettings(prefix);
  queues = openQueues(producerTarget(testTarget(prefix)), qs);
  app = await buildApi({
    settings,
    queues,
    loaded,
    signing: true,
    outDir: path.join(tmp, 'out'),
    sources: {},
    now: () => new Date(FIXED_NOW),
    redisUp: () => Promise.resolve(true),
  });
  await app.ready();
  const cfg: QueueAwareConfig = {
    loaded,
    queue: qs,
    schedules: SchedulesSection.parse({}),
    api: ApiSection.parse({}),
    signing: { type: 'local', key: '/unused', certificates: '/unused' },
  };
  runtime = await startWorkerRuntime({
    target: testTarget(prefix),
    settings: qs,
    queues: ['collect', 'pack'],
    deps: workerDeps(cfg, {
      store: new LocalDirectoryStore(path.join(tmp, 'store'), { fsync: false }),
      generator: { name: 'auditpack', version: 'faults' },
      now: () => new Date(FIXED_NOW),
      stages: {
        render: () => Promise.resolve({ files: [] }),
        bundle: (_ctx, job) => {
          const data = randomBytes(256 * 1024);
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
  const trigger = async (period: string): Promise<string> => {
    const r = await call('setup', 'POST', '/packs', {
      headers: { ...bearer(TOKENS.officer), 'content-type': 'application/json' },
      payload: JSON.stringify({ frameworks: ['gdpr'], period }),
    });
    expect(r.statusCode).toBe(202);
    return r.json<{ id: string }>().id;
  };
  shared = await trigger('2026-10');
  notShared = await trigger('2026-09');
  for (const id of [shared, notShared])
    await waitFor(async () => (await packStatus(queues, id))?.state === 'completed', `pack ${id}`, 120_000);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await runtime?.close(5000);
  await queues?.close();
  await cleanupPrefix(prefix);
  removeHostileTemps();
}, 60_000);

/** Every route × method of the server, from fastify's own route table (printRoutes), params filled in. */
function routes(): { method: string; url: string; pattern: string }[] {
  const out: { method: string; url: string; pattern: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const full = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      out.push({ method, pattern: full, url: full });
  }
  return out;
}
const fill = (pattern: string, id: string): string =>
  pattern
    .replace(':id', id)
    .replace(':queueName', 'collect')
    .replace(':jobId', 'x')
    .replace(':queueStatus', 'failed')
    .replace(':schedulerId', 'x')
    .replace(/\*$/, 'anything');

describe('HTTP API under abuse', () => {
  it('tokens exist only as hashes: a plaintext token in config is refused, and neither a hash nor its hex is accepted as a token', async () => {
    const plain = ApiSection.safeParse({ tokens: [{ name: 'x', role: 'officer', hash: TOKENS.officer }] });
    expect(plain.success).toBe(false);
    expect(plain.error!.issues[0]!.path).toEqual(['tokens', 0, 'hash']);
    const prefixed = ApiSection.safeParse({
      tokens: [{ name: 'x', role: 'officer', hash: `sha256:${TOKENS.officer}` }],
    });
    expect(prefixed.success).toBe(false);
    const hash = await hashToken(TOKENS.officer, 'sha256');
    let accepted = 0;
    for (const t of [hash, hash.slice('sha256:'.length)]) {
      const r = await call('hash as token', 'GET', '/packs', { headers: bearer(t), remoteAddress: '10.9.0.1' });
      if (r.statusCode !== 401) accepted += 1;
    }
    expect(accepted).toBe(0);
    recordOutcome({
      id: 'http-api/tokens-hashed',
      group: 'HTTP API',
      scenario:
        'A plaintext token (and "sha256:<token>") written into api.tokens; the configured sha256 hash, and its hex digits, presented as bearer tokens.',
      expected: 'Config refused naming api.tokens.0.hash; a hash is never accepted as a token (401).',
      runs: 4,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: accepted,
      extra: { 'plaintext configs refused': 2, 'hashes accepted as tokens': accepted },
    });
  });

  it('an auditor reaches nothing but the bundle of a pack shared with it, on every route of the server', async () => {
    const table = routes();
    expect(table.length).toBeGreaterThanOrEqual(40);
    const allowed: string[] = [];
    const refused: string[] = [];
    for (const r of table) {
      for (const id of [shared, notShared]) {
        if (!r.pattern.includes(':id') && id === notShared) continue;
        const url = fill(r.pattern, id);
        const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? JSON.stringify({}) : undefined;
        const res = await call('auditor', r.method, url, {
          headers: { ...bearer(TOKENS.auditor), ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { payload: body } : {}),
        });
        if (res.statusCode < 400) allowed.push(`${r.method} ${url}`);
        else {
          expect([403, 404, 405], `${r.method} ${url}: ${res.statusCode} ${res.body.slice(0, 100)}`).toContain(
            res.statusCode,
          );
          refused.push(`${r.method} ${url}`);
        }
      }
    }
    expect(allowed.sort()).toEqual(
      [`GET /healthz`, `GET /packs/${shared}/bundle`, `HEAD /healthz`, `HEAD /packs/${shared}/bundle`].sort(),
    );
    // Anonymous and with a wrong token: 401 everywhere but /healthz (each from its own address: no 429s here).
    let anonymousOk = 0;
    let i = 0;
    for (const r of table) {
      i += 1;
      const url = fill(r.pattern, shared);
      const anon = await call('anonymous', r.method, url, { remoteAddress: `10.2.${i >> 8}.${i & 255}` });
      const wrong = await call('wrong token', r.method, url, {
        headers: bearer(newToken()),
        remoteAddress: `10.3.${i >> 8}.${i & 255}`,
      });
      if (r.pattern === '/healthz') {
        expect(anon.statusCode).toBe(200);
        anonymousOk += 1;
        continue;
      }
      // 401, or the server's own empty 404 where no route matches the filled-in path (nothing is served either way).
      for (const res of [anon, wrong]) {
        expect([401, 404], `${r.method} ${url}`).toContain(res.statusCode);
        if (res.statusCode === 404) expect(['', '{"error":"not found"}']).toContain(res.body);
      }
    }
    // The read-only dashboard refuses writes even to an operator (it may see it, not change it).
    const writes = table.filter(
      (r) => r.pattern.startsWith('/admin/queues') && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method),
    );
    const writesAccepted: string[] = [];
    for (const r of writes) {
      const url = fill(r.pattern, shared);
      const res = await call('operator write', r.method, url, {
        headers: { ...bearer(TOKENS.operator), 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'collect', data: { kind: 'export-dir', runId: 'x', source: '/etc' } }),
      });
      if (res.statusCode < 400) writesAccepted.push(`${r.method} ${url} → ${res.statusCode}`);
    }
    expect(await queues.collect.isPaused()).toBe(false);
    expect(await queues.collect.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({
      waiting: 0,
      delayed: 0,
      prioritized: 0,
    });
    expect(writesAccepted).toEqual([]);
    recordOutcome({
      id: 'http-api/auditor-every-route',
      group: 'HTTP API',
      scenario: `Every route × method of the fastify server (${table.length}, enumerated from its route table, dashboard included) called as an auditor for a shared and an unshared pack, anonymously, with a wrong token, and (dashboard writes) as an operator.`,
      expected:
        'Auditor: 403/404/405 everywhere but GET/HEAD of the shared bundle and /healthz; 401 without a valid token; the read-only dashboard accepts no write.',
      runs: refused.length + allowed.length + 2 * table.length + writes.length,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: allowed.length - 4 + writesAccepted.length,
      extra: {
        'routes × methods': table.length,
        'auditor refused': refused.length,
        'auditor allowed': allowed.length,
        'dashboard writes refused': writes.length,
        'anonymous allowed (healthz)': anonymousOk,
      },
    });
  }, 180_000);

  it('brute force: 429 after maxFailures per address, for the valid token too, not bypassed by X-Forwarded-For, other addresses unaffected', async () => {
    const ip = '192.0.2.10';
    const codes: number[] = [];
    for (let i = 0; i < MAX_FAILURES + 3; i++) {
      const r = await call('brute force', 'GET', `/packs/${shared}`, {
        headers: { ...bearer(newToken()), 'x-forwarded-for': `198.51.100.${i}` },
        remoteAddress: ip,
      });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([...Array<number>(MAX_FAILURES).fill(401), 429, 429, 429]);
    const valid = await call('brute force', 'GET', '/packs', { headers: bearer(TOKENS.officer), remoteAddress: ip });
    expect(valid.statusCode).toBe(429);
    expect(Number(valid.headers['retry-after'])).toBeGreaterThan(0);
    // Basic auth on the dashboard counts against the same address.
    const basic = await call('brute force', 'GET', '/admin/queues', {
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKENS.operator}`).toString('base64')}` },
      remoteAddress: ip,
    });
    expect(basic.statusCode).toBe(429);
    expect(
      (await call('brute force', 'GET', '/packs', { headers: bearer(TOKENS.officer), remoteAddress: '192.0.2.11' }))
        .statusCode,
    ).toBe(200);
    // Dashboard Basic failures limit an address as well.
    const ip2 = '192.0.2.12';
    const basicCodes: number[] = [];
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      const r = await call('brute force basic', 'GET', '/admin/queues', {
        headers: { authorization: `Basic ${Buffer.from(`x:${newToken()}`).toString('base64')}` },
        remoteAddress: ip2,
      });
      basicCodes.push(r.statusCode);
    }
    expect(basicCodes).toEqual([...Array<number>(MAX_FAILURES).fill(401), 429]);
    recordOutcome({
      id: 'http-api/brute-force',
      group: 'HTTP API',
      scenario: `${MAX_FAILURES + 3} wrong bearer tokens from one address with a different X-Forwarded-For each; then the valid token, Basic auth, another address; ${MAX_FAILURES + 1} wrong Basic passwords on the dashboard.`,
      expected: `401 ×${MAX_FAILURES} then 429 with Retry-After, also for the valid token and Basic from that address (XFF ignored without trustProxy); another address gets 200.`,
      runs: codes.length + basicCodes.length + 3,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { 'failures before 429': MAX_FAILURES, '429s': codes.filter((c) => c === 429).length + 2 + 1 },
    });
  });

  it('hostile request bodies are refused naming the field, nothing is enqueued, nothing is polluted', async () => {
    const before = await queues.pack.getJobCounts(
      'waiting',
      'waiting-children',
      'completed',
      'active',
      'delayed',
      'failed',
    );
    const post = (what: string, payload: string | Buffer, type = 'application/json'): Promise<LightMyRequestResponse> =>
      call(`body ${what}`, 'POST', '/packs', {
        headers: { ...bearer(TOKENS.officer), 'content-type': type },
        payload,
        remoteAddress: '10.4.0.1',
      });
    const cases: {
      what: string;
      payload: string | Buffer;
      type?: string;
      status: number;
      field?: string;
      error?: RegExp;
    }[] = [
      {
        what: 'deeply nested',
        payload: `{"period":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
        status: 400,
        field: 'period',
      },
      {
        what: 'over the body limit',
        payload: JSON.stringify({ period: '2026-10', x: 'a'.repeat(70 * 1024) }),
        status: 413,
      },
      {
        what: 'invalid UTF-8',
        payload: Buffer.concat([Buffer.from('{"period":"2026-'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
        status: 400,
        field: 'period',
      },
      {
        what: '__proto__',
        payload: '{"__proto__":{"polluted":true},"period":"2026-10"}',
        status: 400,
        error: /^Body is not valid JSON/,
      },
      {
        what: 'constructor.prototype',
        payload: '{"constructor":{"prototype":{"polluted":true}}}',
        status: 400,
        error: /^Body is not valid JSON/,
      },
      { what: 'source path', payload: JSON.stringify({ sources: ['../../etc'] }), status: 400, field: 'sources.0' },
      {
        what: 'framework path',
        payload: JSON.stringify({ frameworks: ['../../etc/passwd'] }),
        status: 400,
        field: 'frameworks.0',
      },
      { what: 'period with NUL', payload: JSON.stringify({ period: '2026-10\u0000' }), status: 400, field: 'period' },
      { what: 'asOf not ISO', payload: JSON.stringify({ asOf: 'tomorrow' }), status: 400, field: 'asOf' },
      { what: 'deliver target path', payload: JSON.stringify({ deliver: ['../x'] }), status: 400, field: 'deliver.0' },
      {
        what: 'wrong types',
        payload: JSON.stringify({ frameworks: 'gdpr', live: 'yes' }),
        status: 400,
        field: 'frameworks',
      },
      { what: 'not JSON', payload: '{"period":', status: 400 },
      { what: 'form body', payload: 'period=2026-10', type: 'application/x-www-form-urlencoded', status: 415 },
      { what: 'array body', payload: '[1,2,3]', status: 400, field: '(body)' },
      { what: 'huge number', payload: '{"period": 1e999}', status: 400, field: 'period' },
    ];
    for (const c of cases) {
      const r = await post(c.what, c.payload, c.type);
      expect(r.statusCode, `${c.what}: ${r.body.slice(0, 200)}`).toBe(c.status);
      const body = r.json<{ error: string; issues?: { field: string; message: string }[] }>();
      expect(typeof body.error).toBe('string');
      if (c.field)
        expect(
          body.issues?.map((i) => i.field),
          c.what,
        ).toContain(c.field);
      if (c.error) expect(body.error).toMatch(c.error);
      expect(r.body).not.toMatch(/at \S+ \(.*:\d+:\d+\)/);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(
      await queues.pack.getJobCounts('waiting', 'waiting-children', 'completed', 'active', 'delayed', 'failed'),
    ).toEqual(before);
    recordOutcome({
      id: 'hostile-input/http-api-bodies',
      group: 'Hostile input',
      scenario: `POST /packs with ${cases.length} hostile bodies: 10,000-deep nesting, over 64 KiB, invalid UTF-8, __proto__/constructor pollution, paths as source/framework/target names, NUL, non-ISO time, wrong types, broken JSON, form encoding, an array, 1e999.`,
      expected:
        '400 with issues naming the field (413 over the limit, 415 not JSON); no stack trace; no job enqueued; Object.prototype unpolluted.',
      runs: cases.length,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: 0,
      extra: { refused: cases.length },
    });
  });

  it('every response seen above carries the security headers (errors, 404, 405, 413, 415, 429 and downloads included)', async () => {
    // A streamed download, a 404 and a HEAD, for good measure.
    const dl = await call('download', 'GET', `/packs/${shared}/bundle`, {
      headers: bearer(TOKENS.auditor),
      remoteAddress: '10.5.0.1',
    });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/zip');
    await call('404', 'GET', '/nowhere/../../etc/passwd', { remoteAddress: '10.5.0.1' });
    await call('404', 'OPTIONS', '/packs', { remoteAddress: '10.5.0.1' });
    const statuses = new Set<number>();
    const missing: string[] = [];
    for (const { what, res } of seen) {
      statuses.add(res.statusCode);
      const h = res.headers;
      const dashboard = /: \w+ \/admin\/queues/.test(what);
      const ok =
        (dashboard ? /default-src 'self'.*frame-ancestors 'none'/ : /^default-src 'none'.*frame-ancestors 'none'/).test(
          String(h['content-security-policy']),
        ) &&
        h['x-content-type-options'] === 'nosniff' &&
        h['x-frame-options'] === 'DENY' &&
        h['referrer-policy'] === 'no-referrer' &&
        h['cache-control'] === 'no-store' &&
        h['strict-transport-security'] === undefined;
      if (!ok) missing.push(`${what} ${JSON.stringify(h)}`.slice(0, 300));
    }
    expect(missing).toEqual([]);
    for (const s of [200, 202, 400, 401, 403, 404, 413, 415, 429]) expect(statuses, String(s)).toContain(s);
    recordOutcome({
      id: 'http-api/security-headers',
      group: 'HTTP API',
      scenario: `Every response of this file (${seen.length}, statuses ${[...statuses].sort().join(', ')}) checked for CSP (default-src 'none' + frame-ancestors 'none'; the dashboard's same-origin CSP), X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Cache-Control.`,
      expected: 'All present on every response; no HSTS (the API speaks plain HTTP behind a TLS proxy, as documented).',
      runs: seen.length,
      lost: 0,
      duplicated: 0,
      crashes: 0,
      leaks: missing.length,
      extra: {
        responses: seen.length,
        'distinct statuses': statuses.size,
        'responses missing a header': missing.length,
      },
    });
  });
});
