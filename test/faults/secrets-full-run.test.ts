// No secret in any artifact of a full run. Known secret values are injected everywhere a deployment holds one:
// AWS keys in the environment (the CLI) and in a shared credentials file (the worker), the role's external id,
// the Redis password (through queue.redis.passwordEnv, on a private Redis that requires it), the API's bearer
// tokens and the signing key's passphrase. Then: `collect --live` through the fake AWS endpoint, a pack triggered
// over the HTTP API (`auditpack serve`), run by a worker process (live collection, assess, render, sign, deliver
// to a directory), its bundle downloaded with the auditor token. Every artifact is searched for every secret,
// raw, base64/base64url at any alignment, URL-encoded and JSON-escaped: the output of every process, every Redis
// key and job payload, the store (blobs gunzipped), the pack outputs, the downloaded and the delivered bundle
// (unzipped, entries gunzipped), PDF text.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { hashToken, newToken } from '../../src/api/auth.js';
import { createDevCa } from '../../src/signing/certs.js';
import { toPem } from '../../src/signing/keys.js';
import { FakeAws, type Identity } from '../fake-aws/server.js';
import { modelsAvailable } from '../fake-aws/smithy.js';
import { exampleExport, FIXED_NOW, removeTempDirs } from '../queue/helpers.js';
import { recordOutcome } from './outcomes.js';
import { crashed, hostileTemp, removeHostileTemps, runAuditpack, type CliResult } from './lib/hostile-kit.js';
import {
  dumpRedis,
  freePort,
  hunt,
  startProc,
  startTsx,
  treeTexts,
  type Hit,
  type Proc,
} from './lib/hostile-secrets.js';

const PROD = '111122223333';
const ROLE = 'AuditpackReadOnly';
const rand = (n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'): string =>
  Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
const B64ISH = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const SECRETS = {
  'aws access key id (environment)': `AKIA${rand(16)}`,
  'aws secret access key (environment)': rand(40, B64ISH),
  'aws access key id (credentials file)': `AKIA${rand(16)}`,
  'aws secret access key (credentials file)': rand(40, B64ISH),
  'role external id': `hx-ext-${randomBytes(12).toString('hex')}`,
  'redis password': `hx-redis/${randomBytes(16).toString('base64')}`,
  'api officer token': newToken(),
  'api auditor token': newToken(),
  'signing key passphrase': `hx-pass ${randomBytes(12).toString('hex')}!`,
} as const;
const ENV_ID: Identity = {
  accessKeyId: SECRETS['aws access key id (environment)'],
  secretAccessKey: SECRETS['aws secret access key (environment)'],
  account: PROD,
};
const FILE_ID: Identity = {
  accessKeyId: SECRETS['aws access key id (credentials file)'],
  secretAccessKey: SECRETS['aws secret access key (credentials file)'],
  account: PROD,
};

let tmp: string;
let fake: FakeAws;
let redis: Proc;
let redisPort: number;
let worker: Proc | undefined;
let api: Proc | undefined;
let collect: CliResult;
let runId: string;
let hits: Hit[] = [];
const artifacts = new Map<string, string>();
const counts = { processes: 0, files: 0, redisKeys: 0, needles: 0 };

describe.skipIf(!modelsAvailable())('secrets in a full run', () => {
  beforeAll(async () => {
    tmp = hostileTemp('secrets');
    const exportDir = await exampleExport();
    fake = new FakeAws({
      exportDir,
      identities: [ENV_ID, FILE_ID],
      roles: [
        { arn: `arn:aws:iam::${PROD}:role/${ROLE}`, externalId: SECRETS['role external id'], trustedAccounts: [PROD] },
      ],
      pageSize: 50,
      pageSizes: { 'cloudtrail:LookupEvents': 50, 'logs:FilterLogEvents': 50 },
    });
    await fake.start();

    redisPort = await freePort();
    redis = startProc(
      'redis-server',
      'redis-server',
      [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--requirepass',
        SECRETS['redis password'],
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'verbose',
      ],
      {},
    );
    await redis.waitFor(/Ready to accept connections/, 30_000);

    // A signing key encrypted with the passphrase; the passphrase itself only ever in the environment.
    const ca = await createDevCa({ organisation: 'Northwind Health AI', keyType: 'ec' });
    const keys = path.join(tmp, 'keys');
    mkdirSync(keys);
    writeFileSync(
      path.join(keys, 'signer.key'),
      ca.signerKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: SECRETS['signing key passphrase'],
      }),
      { mode: 0o600 },
    );
    writeFileSync(path.join(keys, 'signer-chain.pem'), toPem(ca.signerChain));
    const credentials = path.join(tmp, 'aws', 'credentials');
    mkdirSync(path.dirname(credentials));
    writeFileSync(
      credentials,
      `[hx]\naws_access_key_id = ${FILE_ID.accessKeyId}\naws_secret_access_key = ${FILE_ID.secretAccessKey}\n`,
      { mode: 0o600 },
    );

    const dirs = {
      store: path.join(tmp, 'store'),
      out: path.join(tmp, 'out'),
      archive: path.join(tmp, 'archive'),
      downloads: path.join(tmp, 'downloads'),
    };
    const config = path.join(tmp, 'auditpack.yaml');
    writeFileSync(
      config,
      stringify({
        organisation: { name: 'Northwind Health AI' },
        scope: { accounts: [{ id: PROD, name: 'prod' }], regions: ['eu-west-1'] },
        frameworks: ['gdpr'],
        collection: { roleName: ROLE, externalId: SECRETS['role external id'] },
        store: { path: dirs.store },
        output: { dir: dirs.out },
        signing: {
          type: 'local',
          key: path.join(keys, 'signer.key'),
          certificates: path.join(keys, 'signer-chain.pem'),
          passphraseEnv: 'HX_SIGNING_PASSPHRASE',
        },
        queue: {
          redis: { host: '127.0.0.1', port: redisPort, passwordEnv: 'HX_REDIS_PASSWORD' },
          prefix: 'hxsecrets',
          attempts: 3,
          backoffMs: 200,
          lockDurationMs: 30_000,
          stalledIntervalMs: 5000,
          directoryTargets: { archive: dirs.archive },
          health: { host: '127.0.0.1', port: 0 },
        },
        api: {
          listen: { host: '127.0.0.1', port: 0 },
          tokens: [
            { name: 'olivia', role: 'officer', hash: await hashToken(SECRETS['api officer token'], 'sha256') },
            {
              name: 'ext-auditor',
              role: 'auditor',
              hash: await hashToken(SECRETS['api auditor token'], 'scrypt'),
              packs: ['pack-2026-10-*'],
            },
          ],
        },
      }),
    );
    const common = {
      LOG_LEVEL: 'debug',
      AUDITPACK_FIXED_NOW: FIXED_NOW,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CI: 'true',
    };

    // 1. The CLI collects live with keys from its environment.
    collect = await runAuditpack(['collect', '--live', '--config', config, '--period', '2026-10', '--json'], {
      env: { ...common, ...fake.env(ENV_ID) },
    });
    // 2. A worker with keys from a shared credentials file, the Redis password and the signing passphrase.
    const fileEnv: Record<string, string> = {
      ...fake.env(FILE_ID),
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_PROFILE: 'hx',
    };
    delete fileEnv['AWS_ACCESS_KEY_ID'];
    delete fileEnv['AWS_SECRET_ACCESS_KEY'];
    worker = startTsx('worker', 'src/cli/main.ts', ['worker', '--config', config, '--no-health'], {
      ...common,
      ...fileEnv,
      HX_REDIS_PASSWORD: SECRETS['redis password'],
      HX_SIGNING_PASSPHRASE: SECRETS['signing key passphrase'],
    });
    // 3. The API.
    api = startTsx('serve', 'src/cli/main.ts', ['serve', '--config', config], {
      ...common,
      HX_REDIS_PASSWORD: SECRETS['redis password'],
    });
    await worker.waitFor(/"event":"worker_ready"/, 120_000);
    const address = (await api.waitFor(/"event":"api_listening","address":"(http:\/\/[^"]+)"/, 120_000))[1]!;

    const officer = { authorization: `Bearer ${SECRETS['api officer token']}` };
    // A few failed authentications first (they are logged): the presented tokens must not be.
    for (const t of [SECRETS['api auditor token'].slice(0, 20), `${SECRETS['api officer token']}x`]) {
      expect((await fetch(`${address}/packs`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
    }
    const trigger = await fetch(`${address}/packs`, {
      method: 'POST',
      headers: { ...officer, 'content-type': 'application/json' },
      body: JSON.stringify({ frameworks: ['gdpr'], period: '2026-10', live: true, deliver: ['archive'] }),
    });
    expect(trigger.status).toBe(202);
    runId = ((await trigger.json()) as { id: string }).id;
    const deadline = Date.now() + 300_000;
    let state = '';
    while (Date.now() < deadline) {
      const s = (await (await fetch(`${address}/packs/${runId}`, { headers: officer })).json()) as {
        state: string;
        delivery: { state: string } | null;
      };
      state = `${s.state}/${s.delivery?.state ?? '-'}`;
      if (s.state === 'failed' || (s.state === 'completed' && s.delivery?.state === 'completed')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(state).toBe('completed/completed');
    const dl = await fetch(`${address}/packs/${runId}/bundle`, {
      headers: { authorization: `Bearer ${SECRETS['api auditor token']}` },
    });
    expect(dl.status).toBe(200);
    mkdirSync(dirs.downloads);
    writeFileSync(path.join(dirs.downloads, `${runId}.zip`), Buffer.from(await dl.arrayBuffer()));

    // Redis, before anything stops: every key under every prefix, job payloads and results included.
    const client = new Redis({
      host: '127.0.0.1',
      port: redisPort,
      password: SECRETS['redis password'],
      maxRetriesPerRequest: 3,
    });
    try {
      const dump = await dumpRedis(client);
      counts.redisKeys = dump.keys;
      artifacts.set('redis (every key and value)', dump.text);
    } finally {
      client.disconnect();
    }
    const workerCode = await worker.stop();
    const apiCode = await api.stop();
    expect([workerCode, apiCode]).toEqual([0, 0]);
    artifacts.set('collect --live: stdout', collect.stdout);
    artifacts.set('collect --live: stderr', collect.stderr);
    artifacts.set('worker: stdout+stderr', worker.out());
    artifacts.set('serve: stdout+stderr', api.out());
    artifacts.set('redis-server: log', redis.out());
    counts.processes = 4;
    for (const [label, dir] of Object.entries(dirs)) counts.files += treeTexts(dir, label, artifacts);
    hits = hunt(SECRETS, artifacts);
  }, 600_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await redis?.stop();
    await fake?.stop();
    removeTempDirs();
    removeHostileTemps();
  }, 120_000);

  it('ran for real: the collection and the pack used every secret, and the artifacts are there to search', () => {
    expect(crashed(collect), collect.stderr).toBe(false);
    expect([0, 1]).toContain(collect.code);
    expect((JSON.parse(collect.stdout) as { accounts: string[] }).accounts).toEqual([PROD]);
    // Both key pairs were used (the fake only answers signed requests), the role was assumed with the external id.
    expect(fake.stats.assumeRole.some((c) => c.externalId === SECRETS['role external id'] && c.granted)).toBe(true);
    expect(fake.stats.assumeRole.every((c) => c.granted)).toBe(true);
    expect([...artifacts.keys()].some((k) => k.startsWith('downloads/') && k.includes('!manifest.json'))).toBe(true);
    expect([...artifacts.keys()].some((k) => k.startsWith('archive/') && k.endsWith('.zip'))).toBe(true);
    expect([...artifacts.keys()].some((k) => k.startsWith('store/') && k.endsWith('(gunzipped)'))).toBe(true);
    expect(artifacts.get('redis (every key and value)')).toContain(`"kind":"pack"`);
    expect(artifacts.get('worker: stdout+stderr')).toContain('job_completed');
  });

  it('the hunt finds planted copies in every form (control)', () => {
    const s = SECRETS['redis password'];
    const planted = new Map<string, string>([
      ['raw', `x ${s} y`],
      ['b64 at offset 1', Buffer.from(`#${s}#`).toString('base64')],
      ['b64url at offset 2', Buffer.from(`##${s}`).toString('base64url')],
      ['url', `?p=${encodeURIComponent(s)}`],
      ['clean', 'nothing here'],
    ]);
    expect(new Set(hunt({ s }, planted).map((h) => h.artifact))).toEqual(
      new Set(['raw', 'b64 at offset 1', 'b64url at offset 2', 'url']),
    );
  });

  it('no secret, in any form, in any artifact', () => {
    counts.needles = Object.values(SECRETS).length;
    expect(hits.map((h) => `${h.secret} (${h.form}) in ${h.artifact}`)).toEqual([]);
    recordOutcome({
      id: 'privacy/secrets-full-run',
      group: 'Privacy and secrets',
      scenario: `${Object.keys(SECRETS).length} known secrets (AWS keys in env and credentials file, external id, Redis password via passwordEnv, officer and auditor bearer tokens, signing key passphrase) through collect --live (fake AWS), a pack triggered over the API, run by a worker (live collect, assess, render, sign, deliver to a directory) and downloaded by the auditor.`,
      expected:
        'Zero hits, raw, base64/base64url (any alignment), URL-encoded or JSON-escaped, in process output, Redis keys and job payloads, the store (blobs gunzipped), pack outputs, downloaded and delivered bundles (unzipped).',
      runs: 1,
      lost: 0,
      duplicated: 0,
      crashes: crashed(collect) ? 1 : 0,
      leaks: hits.length,
      extra: {
        secrets: Object.keys(SECRETS).length,
        'artifacts searched': artifacts.size,
        files: counts.files,
        'redis keys': counts.redisKeys,
        processes: counts.processes,
      },
    });
  });
});
