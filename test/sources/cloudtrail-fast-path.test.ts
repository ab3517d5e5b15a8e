/**
 * Differential test of the CloudTrail ingest fast path (byte scanner, records parsed only when kept) against the
 * plain path (JSON.parse of the whole file, parseEvent per record): on every CloudTrail fixture in the repo and in
 * the shared real data, on the generated bench corpus and the Northwind example, on hand-made adversarial files
 * (escapes, \u escapes and surrogates, nested "eventName", whitespace, key orders, duplicate keys, malformed
 * records and files) and on random mutations of a valid file, both must emit the same observations: same
 * aggregates, same kept events (content, ids), same error items. The one intended difference: a kept event's raw
 * payload is its record's bytes as delivered on the fast path, JSON.stringify of the parsed record on the plain
 * path; the slice must parse to the value the plain path stringified.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCloudTrailCorpus } from '../../bench/generate/cloudtrail.js';
import { generateExample } from '../../examples/northwind/generate.js';
import { evidenceId } from '../../src/evidence/identity.js';
import type { AnyObservation } from '../../src/evidence/observation.js';
import { scanCloudTrailLog } from '../../src/normalizers/cloudtrail/scan.js';
import { handleCloudTrailLog, handleCloudTrailLogPlain } from '../../src/sources/export-dir/handlers/cloudtrail-log.js';
import { DEFAULT_LIMITS, type FileInput, type ReadLimits } from '../../src/sources/export-dir/read.js';
import { routeOf } from '../../src/sources/export-dir/routes.js';
import { canonicalJson, sha256Hex } from '../../src/util/canonical-json.js';

const REL = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/111122223333_CloudTrail_eu-west-1_20261001T0000Z_TESTTESTTESTTEST.json.gz';
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function input(gz: Buffer, rel = REL): FileInput {
  return { rel, bytes: gz, sha256: createHash('sha256').update(gz).digest('hex'), mtime: '2026-10-02T00:00:00.000Z' };
}

async function run(handler: typeof handleCloudTrailLog, file: FileInput, limits: ReadLimits): Promise<AnyObservation[]> {
  const route = routeOf(file.rel);
  if (route?.type !== 'cloudtrail-log') throw new Error(`not a CloudTrail log path: ${file.rel}`);
  const out: AnyObservation[] = [];
  await handler(file, route, limits, (obs) => {
    out.push(obs);
    return Promise.resolve();
  });
  return out;
}

/** An observation as compared: everything but the raw bytes, which are compared separately. */
function comparable(obs: AnyObservation): string {
  const { raw, ...rest } = obs;
  return canonicalJson({
    ...rest,
    raw: raw ? { mediaType: raw.mediaType, sensitive: raw.sensitive } : null,
    id: evidenceId({ ...rest, contentSha256: rest.content ? sha256Hex(canonicalJson(rest.content)) : null }),
  });
}

/** Runs both paths on the gzip bytes and asserts they agree. Returns the fast path's observations. */
async function agree(gz: Buffer, what: string, limits: ReadLimits = DEFAULT_LIMITS, rel = REL): Promise<AnyObservation[]> {
  const file = input(gz, rel);
  const plain = await run(handleCloudTrailLogPlain, file, limits);
  const fast = await run(handleCloudTrailLog, file, limits);
  expect(fast.map(comparable), what).toEqual(plain.map(comparable));
  for (let i = 0; i < fast.length; i++) {
    const f = fast[i]!.raw;
    const p = plain[i]!.raw;
    if (!f || !p) {
      expect(f, what).toBe(p);
      continue;
    }
    if (fast[i]!.kind === 'cloudtrail.event') {
      // The slice parses to the very value the plain path stringified (so -0 and 1e400 survive only in the slice).
      expect(JSON.stringify(JSON.parse(Buffer.from(f.bytes).toString('utf8'))), what).toBe(Buffer.from(p.bytes).toString('utf8'));
    } else {
      expect(Buffer.from(f.bytes).equals(Buffer.from(p.bytes)), what).toBe(true);
    }
  }
  return fast;
}

const gz = (text: string | Buffer): Buffer => gzipSync(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
const records = (recs: unknown[]): Buffer => gz(JSON.stringify({ Records: recs }));

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Every CloudTrail event set in a realdata tree: stratus logs (arrays or one event) and Panther's test logs. */
function realEventSets(root: string): { name: string; events: unknown[] }[] {
  const sets: { name: string; events: unknown[] }[] = [];
  for (const f of jsonFiles(path.join(root, 'stratus-red-team'))) {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as unknown;
    sets.push({ name: path.relative(root, f), events: Array.isArray(doc) ? doc : [doc] });
  }
  const panther = path.join(root, 'panther-analysis/panther_cloudtrail_test_events.json');
  if (existsSync(panther)) {
    const logs = (JSON.parse(readFileSync(panther, 'utf8')) as { tests: { log: unknown }[] }).tests.map((t) => t.log);
    sets.push({ name: 'panther (all)', events: logs });
    for (let i = 0; i < logs.length; i += 25) sets.push({ name: `panther [${i}..]`, events: logs.slice(i, i + 25) });
  }
  return sets;
}

const BASE = JSON.parse(
  readFileSync('test/fixtures/realdata/stratus-red-team/detonation-logs/aws.defense-evasion.cloudtrail-stop.json', 'utf8'),
) as Record<string, unknown>[];
const STOP = BASE[0]!;
const rec = (over: Record<string, unknown>): Record<string, unknown> => ({ ...STOP, eventID: `id-${Math.random().toString(36).slice(2)}`, ...over });

describe('CloudTrail fast path = JSON.parse path', () => {
  it('on every CloudTrail fixture in the repo and in the shared real data', async () => {
    let n = 0;
    for (const root of ['test/fixtures/realdata', '/work/shared/realdata']) {
      for (const set of realEventSets(root)) {
        await agree(records(set.events), `${root}: ${set.name}`);
        // The same events pretty-printed, as a tool that rewrites log files might leave them.
        await agree(gz(JSON.stringify({ Records: set.events }, null, 2)), `${root}: ${set.name} (indented)`);
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
  });

  it('on the generated bench corpus and on the Northwind example export', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-fast-'));
    tmp.push(dir);
    const corpus = ensureCloudTrailCorpus(path.join(dir, 'bench'), 's');
    let kept = 0;
    for (const f of corpus.files) {
      const bytes = readFileSync(path.join(dir, 'bench', f.rel));
      const obs = await agree(bytes, f.rel, DEFAULT_LIMITS, f.rel);
      kept += obs.filter((o) => o.kind === 'cloudtrail.event').length;
      // The comparison means something only if the fast path really read these files: no fallback, no record parsed
      // in full for want of modelling it.
      let unusual = 0;
      expect(scanCloudTrailLog(gunzipSync(bytes), DEFAULT_LIMITS.maxJsonDepth, (_i, _s, _e, fields) => void (unusual += fields.unusual ? 1 : 0))).toBe(f.events);
      expect(unusual).toBe(0);
    }
    expect(kept).toBeGreaterThan(20);
    await generateExample(path.join(dir, 'northwind'));
    const ctRoot = path.join(dir, 'northwind');
    const logs = jsonFilesGz(ctRoot).filter((p) => routeOf(path.relative(ctRoot, p))?.type === 'cloudtrail-log');
    expect(logs.length).toBeGreaterThan(10);
    for (const p of logs) await agree(readFileSync(p), p, DEFAULT_LIMITS, path.relative(ctRoot, p));
  });

  it('on escapes, unicode escapes, nested field names, whitespace and key orders', async () => {
    const cases: [string, string][] = [
      ['escaped quotes and backslashes', JSON.stringify({ Records: [rec({ userAgent: 'a "quoted" \\ back\\slash\t/tab', eventName: 'Stop"Logging' })] })],
      ['\\u escapes in values', `{"Records":[{"eventID":"\\u0069d-1","eventTime":"2026-10-01T00:00:00Z","eventSource":"cloudtrail.amazon\\u0061ws.com","eventName":"Stop\\u004cogging","awsRegion":"eu-west-1","userIdentity":{"arn":"arn:\\u00e9\\ud83d\\ude80"},"requestParameters":{"name":"caf\\u00e9 \\ud83d\\ude80 \\ud800 lone"}}]}`],
      ['escaped slashes', `{"Records":[{"eventID":"a\\/b","eventTime":"2026-10-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"eu-west-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user\\/x"}}]}`],
      ['raw non-ASCII', JSON.stringify({ Records: [rec({ eventName: 'StopLogging', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/zoë 🚀' } })] })],
      ['nested eventName before and after', JSON.stringify({ Records: [{ requestParameters: { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com', eventID: 'x', userIdentity: { arn: 'nested' } }, ...rec({ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' }), responseElements: { eventName: 'DeleteTrail', awsRegion: 'x' } }] })],
      ['eventName inside an escaped JSON string', JSON.stringify({ Records: [rec({ eventSource: 'events.amazonaws.com', eventName: 'PutRule', requestParameters: { eventPattern: JSON.stringify({ detail: { eventName: ['StopLogging'] } }) } })] })],
      ['indented with tabs and CRLF', JSON.stringify({ Records: [rec({}), rec({ eventName: 'GetTrail' })] }, null, '\t').replace(/\n/g, '\r\n')],
      ['whitespace around every token', ` \n { "Records" : [ ${JSON.stringify(rec({})).replace(/([{}[\],:])/g, ' $1 ')} ] } \n`],
      ['reversed key order', JSON.stringify({ Records: [Object.fromEntries(Object.entries(rec({ userIdentity: { sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::1:role/r', type: 'Role' } }, arn: 'arn:aws:sts::1:assumed-role/r/s', type: 'AssumedRole' } })).reverse())] })],
      ['other top-level keys first and last', `{"x":{"Records":1},"Records":${JSON.stringify([rec({})])},"y":[1,2,{"a":null}]}`],
      ['BOM', `\ufeff${JSON.stringify({ Records: [rec({})] })}`],
      ['empty Records', '{"Records":[]}'],
      ['numbers of every form', `{"Records":[${JSON.stringify(rec({})).slice(0, -1)},"n":[-0,0,1.5e3,-2E-2,123456789012345678901234567890,1e400]}]}`],
    ];
    for (const [what, text] of cases) await agree(gz(text), what);
  });

  it('on duplicate keys (the last one wins, as in JSON.parse)', async () => {
    const r = JSON.stringify(rec({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' })).slice(1, -1);
    const cases: [string, string][] = [
      ['eventName twice', `{"Records":[{${r},"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}]}`],
      ['userIdentity twice', `{"Records":[{"userIdentity":{"arn":"first"},${r},"userIdentity":{"type":"Root"}}]}`],
      ['sessionIssuer twice', `{"Records":[{${r},"userIdentity":{"arn":"a","sessionContext":{"sessionIssuer":{"arn":"one"},"sessionIssuer":{"type":"Role"}}}}]}`],
      ['sessionContext twice', `{"Records":[{${r},"userIdentity":{"arn":"a","sessionContext":{"sessionIssuer":{"arn":"one"}},"sessionContext":{}}}]}`],
      ['eventID twice', `{"Records":[{${r},"eventID":"second"},{${r},"eventID":"second"}]}`],
      ['Records twice', `{"Records":[${JSON.stringify(rec({}))}],"Records":[${JSON.stringify(rec({ eventName: 'DeleteTrail' }))}]}`],
      ['escaped key equal to eventName', `{"Records":[{${r},"event\\u004eame":"StopLogging"}]}`],
      ['escaped key equal to Records', `{"Rec\\u006frds":[${JSON.stringify(rec({}))}]}`],
      ['escaped key equal to userIdentity', `{"Records":[{${r},"user\\u0049dentity":{"type":"Root"}}]}`],
    ];
    for (const [what, text] of cases) await agree(gz(text), what);
  });

  it('on malformed records (one error item for the file, the rest counted)', async () => {
    const bad: unknown[] = [
      null,
      42,
      'string',
      [rec({})],
      rec({ eventID: undefined }),
      rec({ eventID: 7 }),
      rec({ eventID: '' }),
      rec({ eventTime: '2025-03-26 16:43:57.000000000' }),
      rec({ eventTime: '2026-10-01T23:59:60Z' }),
      rec({ eventTime: '2026-02-30T00:00:00Z' }),
      rec({ eventTime: '2026-10-01T24:00:00Z' }),
      rec({ eventTime: '2026-10-01T12:00:00.123456Z' }),
      rec({ eventTime: '2026-10-01T12:00:00+02:00' }),
      rec({ eventTime: 1_790_000_000 }),
      rec({ eventSource: null }),
      rec({ eventName: '' }),
      rec({ awsRegion: ['eu-west-1'] }),
      rec({ errorCode: '' }),
      rec({ errorCode: 403 }),
      rec({ errorCode: 'AccessDenied' }),
      rec({ readOnly: 'false', eventSource: 'bedrock.amazonaws.com', eventName: 'CreateGuardrail' }),
      rec({ readOnly: true, eventSource: 'bedrock.amazonaws.com', eventName: 'CreateGuardrail' }),
      rec({ userIdentity: null }),
      rec({ userIdentity: 'root' }),
      rec({ userIdentity: ['a'] }),
      rec({ userIdentity: { type: '', arn: '', invokedBy: 'sagemaker.amazonaws.com' } }),
      rec({ userIdentity: { invokedBy: 5, type: 'AWSService' } }),
      rec({ userIdentity: { arn: 'x', sessionContext: ['a'] } }),
      rec({ userIdentity: { arn: 'x', sessionContext: { sessionIssuer: 'r' } } }),
      rec({ userIdentity: { arn: 'x', sessionContext: { sessionIssuer: { arn: '' } } } }),
      rec({ userIdentity: { arn: 'x', sessionContext: { sessionIssuer: { arn: { nested: true } } } } }),
      rec({ recipientAccountId: '' }),
      rec({ recipientAccountId: 'not-an-account', eventName: 'DeleteTrail' }),
      rec({ eventSource: 'sagemaker.amazonaws.com', eventName: 'UpdateModelPackage', requestParameters: { modelApprovalStatus: 'Approved', modelPackageArn: 'arn:x' } }),
      rec({ eventSource: 'sagemaker.amazonaws.com', eventName: 'UpdateModelPackage', requestParameters: { modelApprovalStatus: 'Rejected' } }),
      rec({ eventSource: 'sagemaker.amazonaws.com', eventName: 'CreateModelCard', requestParameters: { modelCardStatus: 'Approved' } }),
      rec({ eventSource: 'bedrock.amazonaws.com', eventName: 'InvokeModel', readOnly: false }),
      rec({ eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy', requestParameters: { roleName: 'r', policyArn: 'p' } }),
    ];
    await agree(records(bad), 'malformed records');
    // Each alone too: the error message names the record.
    for (const b of bad) await agree(records([rec({}), b]), JSON.stringify(b)?.slice(0, 80) ?? 'undefined');
  });

  it('on malformed files (error item from the JSON.parse path)', async () => {
    const good = JSON.stringify({ Records: [rec({}), rec({ eventName: 'DeleteTrail' })] });
    const cases: [string, Buffer][] = [
      ['truncated JSON', Buffer.from(good.slice(0, -5))],
      ['trailing garbage', Buffer.from(`${good}x`)],
      ['trailing comma in Records', Buffer.from(good.replace(/]}$/, ',]}'))],
      ['trailing comma in a record', Buffer.from(good.replace(/}]}$/, ',}]}'))],
      ['invalid escape', Buffer.from(good.replace('StopLogging', 'Stop\\xLogging'))],
      ['short \\u escape', Buffer.from(good.replace('StopLogging', 'Stop\\u12Logging'))],
      ['raw tab inside a string', Buffer.from(good.replace('StopLogging', 'Stop\tLogging'))],
      ['raw newline inside a string', Buffer.from(good.replace('StopLogging', 'Stop\nLogging'))],
      ['invalid UTF-8', Buffer.concat([Buffer.from(good.slice(0, 40)), Buffer.from([0xc3, 0x28]), Buffer.from(good.slice(40))])],
      ['BOM in the middle', Buffer.from(good.replace('"Records"', '\ufeff"Records"'))],
      ['top-level array', Buffer.from(`[${good}]`)],
      ['empty object', Buffer.from('{}')],
      ['Records is an object', Buffer.from('{"Records":{"a":1}}')],
      ['Records is null', Buffer.from('{"Records":null}')],
      ['no Records', Buffer.from('{"records":[]}')],
      ['leading zero', Buffer.from(good.replace('"readOnly":false', '"readOnly":01'))],
      ['bare dot number', Buffer.from(good.replace('"readOnly":false', '"readOnly":1.'))],
      ['single quotes', Buffer.from(good.replace('"readOnly":false', "'readOnly':false"))],
      ['literal typo', Buffer.from(good.replace('"readOnly":false', '"readOnly":fals'))],
      ['NaN', Buffer.from(good.replace('"readOnly":false', '"readOnly":NaN'))],
      ['empty file', Buffer.alloc(0)],
      ['whitespace only', Buffer.from(' \n')],
      ['nested deeper than the limit', Buffer.from(`{"Records":[${JSON.stringify(rec({})).slice(0, -1)},"deep":${'['.repeat(300)}${']'.repeat(300)}}]}`)],
      ['nested just within the limit', Buffer.from(`{"Records":[${JSON.stringify(rec({})).slice(0, -1)},"deep":${'['.repeat(250)}${']'.repeat(250)}}]}`)],
    ];
    for (const [what, bytes] of cases) await agree(gz(bytes), what);
    await agree(gz(good), 'depth limit 3', { ...DEFAULT_LIMITS, maxJsonDepth: 3 });
    await agree(gz(good), 'depth limit 4', { ...DEFAULT_LIMITS, maxJsonDepth: 4 });
    await agree(gz(good), 'depth limit 5', { ...DEFAULT_LIMITS, maxJsonDepth: 5 });
    // Not gzip / truncated gzip: both report the same read error.
    await agree(Buffer.from(good), 'not gzip');
    await agree(gz(good).subarray(0, 30), 'truncated gzip');
  });

  it('on random mutations of a valid file', async () => {
    const text = JSON.stringify({
      Records: [
        rec({ eventName: 'StopLogging', userAgent: 'a"b\\c', requestParameters: { name: 'caf\u00e9 🚀', eventName: 'x' } }),
        rec({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', readOnly: true, errorCode: 'AccessDenied' }),
        rec({ eventSource: 'bedrock.amazonaws.com', eventName: 'CreateGuardrail', userIdentity: { type: 'AssumedRole', arn: 'a', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::1:role/x' } } } }),
      ],
    });
    const bytes = Buffer.from(text, 'utf8');
    const alphabet = Buffer.from('{}[]",:\\u0e1 tfn-.\n\x01');
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const at = rand(bytes.length);
      const op = rand(3);
      const c = Buffer.from([alphabet[rand(alphabet.length)]!]);
      const mutated =
        op === 0
          ? Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
          : op === 1
            ? Buffer.concat([bytes.subarray(0, at), c, bytes.subarray(at)])
            : Buffer.concat([bytes.subarray(0, at), c, bytes.subarray(at + 1)]);
      await agree(gz(mutated), `mutation ${i} (op ${op} at ${at})`);
    }
  });
});

function jsonFilesGz(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFilesGz(p));
    else if (name.endsWith('.json.gz')) out.push(p);
  }
  return out;
}
