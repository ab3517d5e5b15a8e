/**
 * A local fake of the AWS APIs auditpack's live collectors call, speaking the real wire protocols:
 *
 * - awsJson1_1 (CloudTrail, Config, SageMaker, CloudWatch Logs): `POST /`, dispatched on `X-Amz-Target`;
 * - restJson1 (Bedrock control plane, Artifact): method + URI from the operations' `smithy.api#http` traits;
 *   Account (`POST /listRegions`), whose model is not in our copy, by hand;
 * - S3 REST with XML (ListObjectsV2, GetObject, HeadObject), path-style or virtual-hosted (`bucket.localhost`);
 * - STS awsQuery with XML (GetCallerIdentity, AssumeRole with the external id checked).
 *
 * Every request must be SigV4-signed (verified from the specification, see sigv4.ts) by a known access key, with
 * the service's signing name in the credential scope; the key decides the account whose data is served (base
 * credentials, or temporary credentials that AssumeRole issued for a role in another account) and the scope's
 * region the region. Data comes from an export directory (estate.ts). Lists are split into pages of `pageSize`
 * with opaque tokens; faults can be injected per operation; every JSON request and response is checked against
 * the Smithy model of its operation (smithy.ts) and problems are collected in `stats.problems`.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Estate } from './estate.js';
import { artifactHandlers } from './services/artifact.js';
import { bedrockHandlers } from './services/bedrock.js';
import { cloudtrailHandlers } from './services/cloudtrail.js';
import { configHandlers } from './services/config.js';
import { logsHandlers } from './services/logs.js';
import { handleS3, s3Operation, s3Target, xmlEscape, type S3Response } from './services/s3.js';
import { sagemakerHandlers } from './services/sagemaker.js';
import { parseAuthorization, SigV4Error, verifySignature, type SigV4Scope } from './sigv4.js';
import {
  encode,
  inputProblems,
  isConstraintProblem,
  model,
  outputProblems,
  typeOf,
  type ModelledService,
  type Operation,
  type ServiceModel,
} from './smithy.js';
import { AwsError, type CallContext, type Fault, type FaultRule, type JsonHandler, type Principal } from './types.js';

export type { Fault, FaultRule } from './types.js';

export interface Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly account: string;
  /** Caller ARN returned by GetCallerIdentity (default: an IAM user `auditor`). */
  readonly arn?: string;
}

export interface RoleSpec {
  readonly arn: string;
  /** The external id the role's trust policy requires; undefined = none required. */
  readonly externalId?: string;
  /** Accounts whose principals may assume the role (default: any known identity). */
  readonly trustedAccounts?: readonly string[];
}

export interface FakeAwsOptions {
  /** Export directory whose files the fake serves. */
  readonly exportDir: string;
  readonly identities: readonly Identity[];
  readonly roles?: readonly RoleSpec[];
  /** Items per page for every paginated list (default 2), further capped by the request's own page size. */
  readonly pageSize?: number;
  /** Page sizes for single operations, by `service:Operation` (e.g. LookupEvents, which pages through thousands). */
  readonly pageSizes?: Readonly<Record<string, number>>;
  readonly faults?: readonly FaultRule[];
  /** Validate every request and response against the Smithy models (default true). */
  readonly validate?: boolean;
  /**
   * `@length`/`@range`/`@pattern` violations in responses: `warn` (default) records them in `stats.warnings`,
   * `error` treats them like any other contract violation. In requests they are always errors, as in AWS.
   */
  readonly outputConstraints?: 'warn' | 'error';
  /** Seed of the generator that decides the faults with a `chance` (default 1). */
  readonly faultSeed?: number;
}

export interface AssumeRoleCall {
  readonly roleArn: string;
  readonly externalId: string | null;
  readonly sessionName: string;
  readonly callerAccount: string;
  readonly granted: boolean;
}

export interface FakeStats {
  /** Requests per `service:Operation` (after authentication). */
  readonly requests: Record<string, number>;
  /** Requests per account whose data was asked for. */
  readonly byAccount: Record<string, number>;
  /** Responses of paginated operations per `service:Operation`. */
  readonly pages: Record<string, number>;
  /** Requests that carried a pagination token the fake had issued, per `service:Operation`. */
  readonly tokensFollowed: Record<string, number>;
  /** Faults fired per `service:Operation`. */
  readonly faults: Record<string, number>;
  readonly assumeRole: AssumeRoleCall[];
  /** Requests refused before reaching a handler (signature, unknown key, missing token, unknown operation). */
  readonly rejected: string[];
  /** Contract violations: requests or responses that do not fit the Smithy model, and fake-internal failures. */
  readonly problems: string[];
  /** Output constraint violations when `outputConstraints` is `warn`. */
  readonly warnings: string[];
}

const JSON_SERVICES: Record<string, { key: ModelledService; handlers: Record<string, JsonHandler> }> = {
  cloudtrail: { key: 'cloudtrail', handlers: cloudtrailHandlers },
  config: { key: 'config', handlers: configHandlers },
  sagemaker: { key: 'sagemaker', handlers: sagemakerHandlers },
  logs: { key: 'logs', handlers: logsHandlers },
  bedrock: { key: 'bedrock', handlers: bedrockHandlers },
  artifact: { key: 'artifact', handlers: artifactHandlers },
};

/** `AWS_ENDPOINT_URL_<SERVICE>` names (the SDK's service id, upper-cased, spaces as `_`) of the services the fake serves. */
export const ENDPOINT_ENV = [
  'CLOUDTRAIL',
  'CONFIG_SERVICE',
  'SAGEMAKER',
  'BEDROCK',
  'CLOUDWATCH_LOGS',
  'S3',
  'STS',
  'ACCOUNT',
  'ARTIFACT',
] as const;

type Protocol = 'awsJson1_1' | 'restJson1' | 's3' | 'awsQuery';

interface Presigned {
  readonly body: Buffer;
  readonly contentType: string;
  readonly signature: string;
  readonly account: string;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class FakeAws {
  readonly estate: Estate;
  private server: http.Server | null = null;
  private baseUrl = '';
  private readonly principals = new Map<string, Principal & { secret: string; sessionToken: string | null }>();
  private readonly tokens = new Map<string, { key: string; offset: number }>();
  private readonly openPaginations = new Set<string>();
  private readonly presigned = new Map<string, Presigned>();
  private faultRules: { rule: FaultRule; seen: number; fired: number }[] = [];
  private faultRandom: () => number = mulberry32(1);
  pageSize: number;
  stats: FakeStats = FakeAws.emptyStats();

  constructor(readonly options: FakeAwsOptions) {
    this.estate = new Estate(options.exportDir);
    this.pageSize = options.pageSize ?? 2;
    for (const id of options.identities) {
      this.principals.set(id.accessKeyId, {
        accessKeyId: id.accessKeyId,
        account: id.account,
        arn: id.arn ?? `arn:aws:iam::${id.account}:user/auditor`,
        userId: `AIDA${createHash('sha256').update(id.accessKeyId).digest('hex').slice(0, 17).toUpperCase()}`,
        secret: id.secretAccessKey,
        sessionToken: null,
      });
    }
    this.setFaults(options.faults ?? []);
  }

  private static emptyStats(): FakeStats {
    return {
      requests: {},
      byAccount: {},
      pages: {},
      tokensFollowed: {},
      faults: {},
      assumeRole: [],
      rejected: [],
      problems: [],
      warnings: [],
    };
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Replaces the fault rules (counters start again). */
  setFaults(rules: readonly FaultRule[], seed = this.options.faultSeed ?? 1): void {
    this.faultRules = rules.map((rule) => ({ rule, seen: 0, fired: 0 }));
    this.faultRandom = mulberry32(seed);
  }

  /** Clears the statistics (not the issued tokens or credentials). */
  resetStats(): void {
    this.stats = FakeAws.emptyStats();
    this.openPaginations.clear();
  }

  /** Paginations whose first page had a next token but whose last page was never asked for. */
  unfinishedPaginations(): string[] {
    return [...this.openPaginations].sort();
  }

  /**
   * Environment for a child process that should talk to the fake: every `AWS_ENDPOINT_URL_<SERVICE>`, the
   * credentials of `identity`, the region, and no shared config/credentials files or instance metadata.
   */
  env(identity: Identity, region = 'eu-west-1'): Record<string, string> {
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: this.baseUrl,
      AWS_ACCESS_KEY_ID: identity.accessKeyId,
      AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/auditpack-fake-aws/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/auditpack-fake-aws/credentials',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const s of ENDPOINT_ENV) env[`AWS_ENDPOINT_URL_${s}`] = this.baseUrl;
    return env;
  }

  // ------------------------------------------------------------------------------------------------------------

  private count(map: Record<string, number>, key: string, n = 1): void {
    map[key] = (map[key] ?? 0) + n;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? '/';
    const requestId = randomUuid();
    let protocol: Protocol = guessProtocol(req);
    const state: { opKey: string; fault: Fault | null } = { opKey: 'unknown:Unknown', fault: null };
    try {
      if (url.startsWith('/__presigned/')) {
        state.opKey = 'artifact:DownloadReport';
        state.fault = this.fault('artifact', 'DownloadReport', null, null);
        if (state.fault && state.fault.type !== 'slow' && state.fault.type !== 'reset')
          throw faultError(state.fault, 's3');
        return await this.send(res, this.download(url), state.fault);
      }
      let scope: SigV4Scope;
      try {
        scope = parseAuthorization({ method: req.method ?? 'GET', url, headers: req.headers, body });
      } catch (err) {
        if (err instanceof SigV4Error) throw this.reject(err, 403, url);
        throw err;
      }
      protocol = protocolOf(scope.service, protocol);
      const principal = this.authenticate(req, url, body, scope, protocol);
      const reply = this.dispatch(
        req,
        url,
        body,
        scope,
        principal,
        scope.region,
        principal.account,
        protocol,
        requestId,
        (key, f) => {
          state.opKey = key;
          state.fault = f;
        },
      );
      await this.send(res, reply, state.fault);
    } catch (err) {
      const reply = this.errorReply(err, protocol, requestId, state.opKey);
      await this.send(res, reply, state.fault?.type === 'slow' ? state.fault : null);
    }
  }

  private reject(err: SigV4Error, status: number, url: string): AwsError {
    this.stats.rejected.push(`${err.code}: ${err.message.split('\n')[0]} (${url.slice(0, 80)})`);
    return new AwsError(err.code, status, err.message);
  }

  private authenticate(
    req: http.IncomingMessage,
    url: string,
    body: Buffer,
    scope: SigV4Scope,
    protocol: Protocol,
  ): Principal {
    const p = this.principals.get(scope.accessKeyId);
    if (!p) {
      const code =
        protocol === 's3'
          ? 'InvalidAccessKeyId'
          : protocol === 'awsQuery'
            ? 'InvalidClientTokenId'
            : 'UnrecognizedClientException';
      throw this.reject(
        new SigV4Error(
          code === 'InvalidAccessKeyId' ? 'InvalidClientTokenId' : code,
          'The security token included in the request is invalid.',
        ),
        403,
        url,
      );
    }
    try {
      verifySignature({ method: req.method ?? 'GET', url, headers: req.headers, body }, scope, p.secret);
    } catch (err) {
      if (!(err instanceof SigV4Error)) throw err;
      const code = protocol === 's3' || protocol === 'awsQuery' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException';
      throw this.reject(new SigV4Error(code, err.message), 403, url);
    }
    const token = req.headers['x-amz-security-token'];
    if (p.sessionToken !== null && token !== p.sessionToken)
      throw this.reject(
        new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid.'),
        403,
        url,
      );
    if (token !== undefined && !(req.headers['authorization'] ?? '').includes('x-amz-security-token')) {
      throw this.reject(new SigV4Error('IncompleteSignature', 'x-amz-security-token must be signed'), 403, url);
    }
    return p;
  }

  private fault(service: string, operation: string, account: string | null, region: string | null): Fault | null {
    for (const f of this.faultRules) {
      const r = f.rule;
      if (r.service !== service || (r.operation !== '*' && r.operation !== operation)) continue;
      if (r.account && r.account !== account) continue;
      if (r.region && r.region !== region) continue;
      f.seen += 1;
      if (f.seen <= (r.after ?? 0) || f.fired >= (r.times ?? Infinity)) continue;
      if (r.chance !== undefined && this.faultRandom() >= r.chance) continue;
      f.fired += 1;
      this.count(this.stats.faults, `${service}:${operation}`);
      return r.fault;
    }
    return null;
  }

  private dispatch(
    req: http.IncomingMessage,
    url: string,
    body: Buffer,
    scope: SigV4Scope,
    principal: Principal,
    region: string,
    account: string,
    protocol: Protocol,
    requestId: string,
    found: (opKey: string, fault: Fault | null) => void,
  ): Reply {
    const service = scope.service;
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const enter = (operation: string): Fault | null => {
      const key = `${service}:${operation}`;
      this.count(this.stats.requests, key);
      this.count(this.stats.byAccount, account);
      const f = this.fault(service, operation, account, region);
      found(key, f);
      if (f && f.type !== 'slow' && f.type !== 'reset') throw faultError(f, protocol);
      return f;
    };

    if (protocol === 's3') {
      const { bucket, key } = s3Target(req.headers.host ?? '', rawPath);
      const r = { method: req.method ?? 'GET', bucket, key, query, headers: req.headers };
      const op = s3Operation(r);
      enter(op);
      const out: S3Response = handleS3(
        this.estate,
        r,
        op,
        (items, token, size) => {
          const p = this.page(
            `s3:${op}:${bucket}:${query.get('prefix') ?? ''}:${query.get('delimiter') ?? ''}`,
            items,
            token,
            size,
            's3:ListObjectsV2',
            'InvalidArgument',
          );
          return { items: p.items, next: p.next };
        },
        this.pageSizeOf(`s3:${op}`),
      );
      return {
        status: out.status,
        headers: {
          ...out.headers,
          'x-amz-request-id': requestId.replace(/-/g, '').slice(0, 16).toUpperCase(),
          'x-amz-id-2': randomBytes(24).toString('base64'),
        },
        body: out.body,
      };
    }

    if (protocol === 'awsQuery') return this.sts(body, principal, requestId, enter);

    if (service === 'account') {
      if (req.method !== 'POST' || rawPath !== '/listRegions')
        throw new AwsError(
          'UnknownOperationException',
          404,
          `The fake AWS has no Account operation ${req.method ?? ''} ${rawPath}`,
        );
      enter('ListRegions');
      return this.listRegions(parseJsonBody(body), account, region, requestId);
    }

    const svc = JSON_SERVICES[service];
    if (!svc) throw new AwsError('UnknownOperationException', 400, `The fake AWS does not serve ${service}`);
    const m = model(svc.key);
    let op: Operation;
    let input: Record<string, unknown>;
    if (m.protocol === 'awsJson1_1') {
      const target = String(req.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      if (req.method !== 'POST' || !m.targetPrefixes.includes(target.slice(0, dot))) {
        this.stats.rejected.push(`UnknownOperationException: X-Amz-Target "${target}" for ${service}`);
        throw new AwsError('UnknownOperationException', 400, `Unknown operation ${target}`);
      }
      const ct = String(req.headers['content-type'] ?? '');
      if (ct !== 'application/x-amz-json-1.1')
        this.stats.problems.push(
          `${service}:${target.slice(dot + 1)} request Content-Type is "${ct}", not application/x-amz-json-1.1`,
        );
      const name = target.slice(dot + 1);
      if (!m.operations.has(name) || !svc.handlers[name])
        throw new AwsError('UnknownOperationException', 400, `The fake AWS does not implement ${service}:${name}`);
      op = m.operation(name);
      input = parseJsonBody(body);
      if (this.options.validate !== false) this.inputCheck(m, op, input, 'body');
    } else {
      const routed = routeRest(m, req.method ?? 'GET', rawPath, query, body);
      if (!routed || !svc.handlers[routed.op.name])
        throw new AwsError(
          'UnknownOperationException',
          404,
          `The fake AWS has no ${service} operation for ${req.method ?? ''} ${rawPath}`,
        );
      op = routed.op;
      input = routed.input;
      if (this.options.validate !== false) this.inputCheck(m, op, input, 'value');
    }
    const f = enter(op.name);
    void f;
    const ctx: CallContext = {
      service,
      operation: op.name,
      account,
      region,
      principal,
      estate: this.estate,
      baseUrl: this.baseUrl,
      presign: (data, contentType) => this.presign(data, contentType, account),
    };
    let output = svc.handlers[op.name]!(stripToken(op, input), ctx) as Record<string, unknown>;
    if (op.paginated) output = this.paginate(m, op, input, output, `${service}:${op.name}:${account}:${region}`);
    return this.jsonReply(m, op, output, requestId);
  }

  private inputCheck(m: ServiceModel, op: Operation, input: Record<string, unknown>, where: 'body' | 'value'): void {
    const problems = inputProblems(m, op.name, input, where);
    if (problems.length) {
      this.stats.problems.push(...problems);
      throw new AwsError(
        m.protocol === 'awsJson1_1' ? 'ValidationException' : 'ValidationException',
        400,
        problems.join('; '),
      );
    }
  }

  /** Splits the items list of a paginated output into pages, with opaque tokens bound to the request's other inputs. */
  private paginate(
    m: ServiceModel,
    op: Operation,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
    base: string,
  ): Record<string, unknown> {
    const pg = op.paginated!;
    const outShape = op.output ? m.members(op.output) : {};
    const items = pg.items ?? uniqueList(m, outShape);
    if (!items || !Array.isArray(output[items])) return output;
    const token = input[pg.inputToken] as string | undefined;
    const asked = pg.pageSize ? (input[pg.pageSize] as number | undefined) : undefined;
    const size = Math.max(1, Math.min(this.pageSizeOf(`${m.key}:${op.name}`), asked ?? Infinity));
    const fingerprint = JSON.stringify(
      Object.entries(input)
        .filter(([k]) => k !== pg.inputToken && k !== pg.pageSize)
        .sort(),
    );
    const p = this.page(
      `${base}:${fingerprint}`,
      output[items] as unknown[],
      token,
      size,
      `${m.key}:${op.name}`,
      m.protocol === 'awsJson1_1' ? invalidTokenCode(m.key) : 'ValidationException',
    );
    const out: Record<string, unknown> = { ...output, [items]: p.items };
    delete out[pg.outputToken];
    if (p.next) out[pg.outputToken] = p.next;
    return out;
  }

  private pageSizeOf(opKey: string): number {
    return this.options.pageSizes?.[opKey] ?? this.pageSize;
  }

  private page<T>(
    key: string,
    items: readonly T[],
    token: string | undefined,
    size: number,
    opKey: string,
    invalidCode: string,
  ): { items: T[]; next: string | undefined } {
    let offset = 0;
    if (token !== undefined && token !== '') {
      const t = this.tokens.get(token);
      if (!t || t.key !== key) throw new AwsError(invalidCode, 400, 'The nextToken provided is invalid');
      offset = t.offset;
      this.count(this.stats.tokensFollowed, opKey);
    }
    this.count(this.stats.pages, opKey);
    const slice = items.slice(offset, offset + size);
    let next: string | undefined;
    if (offset + size < items.length) {
      next = randomBytes(18).toString('base64url');
      this.tokens.set(next, { key, offset: offset + size });
      if (offset === 0) this.openPaginations.add(key);
    } else if (offset > 0) this.openPaginations.delete(key);
    return { items: slice, next };
  }

  private jsonReply(m: ServiceModel, op: Operation, output: unknown, requestId: string): Reply {
    const enc = op.output ? encode(m, op.output, output ?? {}) : { body: {}, headers: {}, problems: [] };
    const bytes = Buffer.from(JSON.stringify(enc.body));
    if (this.options.validate !== false) {
      let problems = [
        ...new Set([
          ...enc.problems.map((p) => `${m.key}:${op.name} output ${p}`),
          ...outputProblems(m, op.name, JSON.parse(bytes.toString('utf8')) as unknown),
        ]),
      ];
      if (this.options.outputConstraints !== 'error') {
        for (const w of problems.filter(isConstraintProblem))
          if (!this.stats.warnings.includes(w)) this.stats.warnings.push(w);
        problems = problems.filter((p) => !isConstraintProblem(p));
      }
      if (problems.length) {
        for (const p of problems) if (!this.stats.problems.includes(p)) this.stats.problems.push(p);
        // Not retryable, so a collector sees it at once and the test that caused it fails on stats.problems.
        throw new AwsError('FakeAwsContractViolation', 400, problems.slice(0, 5).join('; '));
      }
    }
    const contentType = m.protocol === 'awsJson1_1' ? 'application/x-amz-json-1.1' : 'application/json';
    return {
      status: op.http?.code ?? 200,
      headers: { ...enc.headers, 'content-type': contentType, 'x-amzn-requestid': requestId },
      body: bytes,
    };
  }

  private listRegions(input: Record<string, unknown>, account: string, region: string, requestId: string): Reply {
    const statuses = (input['RegionOptStatusContains'] as string[] | undefined) ?? null;
    const allowed = new Set(['ENABLED', 'ENABLING', 'DISABLING', 'DISABLED', 'ENABLED_BY_DEFAULT']);
    if (statuses && statuses.some((s) => !allowed.has(s)))
      throw new AwsError('ValidationException', 400, 'RegionOptStatusContains has an invalid value');
    const all = this.estate
      .regions(account)
      .map((RegionName) => ({ RegionName, RegionOptStatus: 'ENABLED_BY_DEFAULT' }));
    const list = statuses ? all.filter((r) => statuses.includes(r.RegionOptStatus)) : all;
    const max = typeof input['MaxResults'] === 'number' ? input['MaxResults'] : 50;
    const p = this.page(
      `account:ListRegions:${account}:${region}:${JSON.stringify(statuses)}`,
      list,
      input['NextToken'] as string | undefined,
      Math.min(max, this.pageSizeOf('account:ListRegions')),
      'account:ListRegions',
      'ValidationException',
    );
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
      body: Buffer.from(JSON.stringify({ Regions: p.items, ...(p.next ? { NextToken: p.next } : {}) })),
    };
  }

  private sts(body: Buffer, principal: Principal, requestId: string, enter: (op: string) => Fault | null): Reply {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? '';
    if (form.get('Version') !== '2011-06-15')
      throw new AwsError(
        'InvalidAction',
        400,
        `Could not find operation ${action} for version ${form.get('Version') ?? ''}`,
      );
    const m = model('sts');
    if (!m.operations.has(action) || !['GetCallerIdentity', 'AssumeRole'].includes(action))
      throw new AwsError('InvalidAction', 400, `Could not find operation ${action} for version 2011-06-15`);
    enter(action);
    const input: Record<string, unknown> = {};
    for (const [k, v] of form) {
      if (k === 'Action' || k === 'Version' || k.includes('.')) continue;
      input[k] = k === 'DurationSeconds' ? Number(v) : v;
    }
    if (this.options.validate !== false) this.inputCheck(m, m.operation(action), input, 'value');
    const xml = (inner: string): Reply => ({
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: Buffer.from(
        `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <${action}Result>\n${inner}  </${action}Result>\n  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`,
      ),
    });
    if (action === 'GetCallerIdentity') {
      return xml(
        `    <Arn>${xmlEscape(principal.arn)}</Arn>\n    <UserId>${xmlEscape(principal.userId)}</UserId>\n    <Account>${principal.account}</Account>\n`,
      );
    }
    const roleArn = String(input['RoleArn']);
    const sessionName = String(input['RoleSessionName']);
    const externalId = (input['ExternalId'] as string | undefined) ?? null;
    const role = (this.options.roles ?? []).find((r) => r.arn === roleArn);
    const granted =
      !!role &&
      (role.externalId === undefined || role.externalId === externalId) &&
      (!role.trustedAccounts || role.trustedAccounts.includes(principal.account));
    this.stats.assumeRole.push({ roleArn, externalId, sessionName, callerAccount: principal.account, granted });
    if (!granted)
      throw new AwsError(
        'AccessDenied',
        403,
        `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    const account = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    if (!account) throw new AwsError('ValidationError', 400, `${roleArn} is not a role ARN`);
    const roleName = account[2]!.split('/').pop()!;
    const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
    const secret = randomBytes(30).toString('base64');
    const sessionToken = randomBytes(96).toString('base64');
    const assumedArn = `arn:aws:sts::${account[1]!}:assumed-role/${roleName}/${sessionName}`;
    const roleId = `AROA${createHash('sha256').update(roleArn).digest('hex').slice(0, 17).toUpperCase()}`;
    this.principals.set(accessKeyId, {
      accessKeyId,
      account: account[1]!,
      arn: assumedArn,
      userId: `${roleId}:${sessionName}`,
      secret,
      sessionToken,
    });
    const duration = typeof input['DurationSeconds'] === 'number' ? input['DurationSeconds'] : 3600;
    const expiration = new Date(Date.now() + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return xml(
      `    <AssumedRoleUser>\n      <AssumedRoleId>${roleId}:${xmlEscape(sessionName)}</AssumedRoleId>\n      <Arn>${xmlEscape(assumedArn)}</Arn>\n    </AssumedRoleUser>\n` +
        `    <Credentials>\n      <AccessKeyId>${accessKeyId}</AccessKeyId>\n      <SecretAccessKey>${xmlEscape(secret)}</SecretAccessKey>\n      <SessionToken>${xmlEscape(sessionToken)}</SessionToken>\n      <Expiration>${expiration}</Expiration>\n    </Credentials>\n` +
        `    <PackedPolicySize>0</PackedPolicySize>\n`,
    );
  }

  private presign(body: Buffer, contentType: string, account: string): string {
    const id = randomBytes(12).toString('hex');
    const signature = createHash('sha256')
      .update(`${id}:${randomBytes(8).toString('hex')}`)
      .digest('hex');
    this.presigned.set(id, { body, contentType, signature, account });
    const date = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    return `${this.baseUrl}/__presigned/${id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFAKEPRESIGN%2F${date.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${date}&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`;
  }

  private download(url: string): Reply {
    const u = new URL(url, 'http://x');
    const id = u.pathname.slice('/__presigned/'.length);
    const p = this.presigned.get(id);
    this.count(this.stats.requests, 'artifact:DownloadReport');
    if (!p || u.searchParams.get('X-Amz-Signature') !== p.signature)
      throw new AwsError('AccessDenied', 403, 'Request has expired or the signature does not match');
    return {
      status: 200,
      headers: {
        'content-type': p.contentType,
        'content-length': String(p.body.length),
        etag: `"${createHash('md5').update(p.body).digest('hex')}"`,
      },
      body: p.body,
    };
  }

  private errorReply(err: unknown, protocol: Protocol, requestId: string, opKey: string): Reply {
    let e: AwsError;
    if (err instanceof AwsError) e = err;
    else {
      this.stats.problems.push(`fake AWS internal error in ${opKey}: ${(err as Error).stack ?? String(err)}`);
      e = new AwsError(
        protocol === 's3' ? 'InternalError' : 'InternalFailure',
        500,
        `fake AWS internal error: ${(err as Error).message}`,
      );
    }
    switch (protocol) {
      case 'awsJson1_1':
        return {
          status: e.status,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
          body: Buffer.from(JSON.stringify({ __type: e.code, message: e.message })),
        };
      case 'restJson1':
        return {
          status: e.status,
          headers: {
            'content-type': 'application/json',
            'x-amzn-requestid': requestId,
            'x-amzn-errortype': `${e.code}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
          },
          body: Buffer.from(JSON.stringify({ message: e.message })),
        };
      case 's3':
        return {
          status: e.status,
          headers: {
            'content-type': 'application/xml',
            'x-amz-request-id': requestId.replace(/-/g, '').slice(0, 16).toUpperCase(),
          },
          body: Buffer.from(
            `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(e.code)}</Code><Message>${xmlEscape(e.message)}</Message><RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`,
          ),
        };
      case 'awsQuery':
        return {
          status: e.status,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
          body: Buffer.from(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n    <Code>${xmlEscape(e.code)}</Code>\n    <Message>${xmlEscape(e.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
          ),
        };
    }
  }

  private async send(res: http.ServerResponse, reply: Reply, fault: Fault | null): Promise<void> {
    if (fault?.type === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    const headers = {
      ...reply.headers,
      'content-length': reply.headers['content-length'] ?? String(reply.body.length),
      date: new Date().toUTCString(),
    };
    res.writeHead(reply.status, headers);
    if (fault?.type === 'reset') {
      // Half the body, then a TCP reset: the client sees the connection die mid-response.
      res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)));
      await new Promise((r) => setTimeout(r, 10));
      res.socket?.resetAndDestroy();
      return;
    }
    res.end(reply.body);
  }
}

function protocolOf(service: string, fallback: Protocol): Protocol {
  if (service === 's3') return 's3';
  if (service === 'sts') return 'awsQuery';
  if (service === 'account' || service === 'bedrock' || service === 'artifact') return 'restJson1';
  if (JSON_SERVICES[service]) return 'awsJson1_1';
  return fallback;
}

function guessProtocol(req: http.IncomingMessage): Protocol {
  if (req.headers['x-amz-target']) return 'awsJson1_1';
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return 'awsQuery';
  if (String(req.headers['content-type'] ?? '').includes('json')) return 'restJson1';
  return 's3';
}

function faultError(f: Fault, protocol: Protocol): AwsError {
  switch (f.type) {
    case 'throttle':
      if (protocol === 's3') return new AwsError('SlowDown', 503, 'Please reduce your request rate.');
      if (protocol === 'awsQuery') return new AwsError('Throttling', 400, 'Rate exceeded');
      if (protocol === 'restJson1')
        return new AwsError('ThrottlingException', 429, 'Too many requests, please wait before trying again.');
      return new AwsError('ThrottlingException', 400, 'Rate exceeded');
    case 'tooManyRequests':
      return new AwsError('TooManyRequestsException', 429, 'Too Many Requests');
    case 'server':
      if (protocol === 's3')
        return f.status === 503
          ? new AwsError('ServiceUnavailable', 503, 'Please reduce your request rate.')
          : new AwsError('InternalError', 500, 'We encountered an internal error. Please try again.');
      if (protocol === 'restJson1')
        return f.status === 503
          ? new AwsError('ServiceUnavailableException', 503, 'Service Unavailable')
          : new AwsError('InternalServerException', 500, 'Internal Server Error');
      return f.status === 503
        ? new AwsError('ServiceUnavailable', 503, 'Service Unavailable')
        : new AwsError(
            'InternalFailure',
            500,
            'The request processing has failed because of an unknown error, exception or failure.',
          );
    case 'accessDenied':
      return protocol === 's3' || protocol === 'awsQuery'
        ? new AwsError('AccessDenied', 403, 'Access Denied')
        : new AwsError(
            'AccessDeniedException',
            403,
            'User is not authorized to perform this action because no identity-based policy allows it',
          );
    default:
      throw new Error(`fault ${f.type} is not an error`);
  }
}

function invalidTokenCode(key: ModelledService): string {
  return key === 'config'
    ? 'InvalidNextTokenException'
    : key === 'cloudtrail'
      ? 'InvalidNextTokenException'
      : key === 'logs'
        ? 'InvalidParameterException'
        : 'ValidationException';
}

function uniqueList(m: ServiceModel, members: Record<string, { target: string }>): string | undefined {
  const lists = Object.entries(members).filter(([, mm]) => ['list', 'set'].includes(typeOf(m, mm.target) ?? ''));
  return lists.length === 1 ? lists[0]![0] : undefined;
}

function stripToken(op: Operation, input: Record<string, unknown>): Record<string, unknown> {
  if (!op.paginated) return input;
  const { [op.paginated.inputToken]: _t, ...rest } = input;
  return rest;
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError('SerializationException', 400, 'The request body is not a JSON object');
}

/** Matches a restJson1 request to an operation by its `smithy.api#http` trait and decodes labels, query and body. */
function routeRest(
  m: ServiceModel,
  method: string,
  rawPath: string,
  query: URLSearchParams,
  body: Buffer,
): { op: Operation; input: Record<string, unknown> } | null {
  for (const op of m.operations.values()) {
    if (!op.http || op.http.method !== method) continue;
    const [uriPath, uriQuery] = op.http.uri.split('?');
    const names: string[] = [];
    const pattern = uriPath!
      .split('/')
      .map((seg) => {
        const lm = /^\{([^}+]+)(\+?)\}$/.exec(seg);
        if (!lm) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(lm[1]!);
        return lm[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    const match = new RegExp(`^${pattern}$`).exec(rawPath);
    if (!match) continue;
    if (uriQuery && !uriQuery.split('&').every((kv) => query.has(kv.split('=')[0]!))) continue;
    const input: Record<string, unknown> = {};
    names.forEach((n, i) => (input[n] = decodeURIComponent(match[i + 1]!)));
    const members = op.input ? m.members(op.input) : {};
    for (const [name, mm] of Object.entries(members)) {
      const qn = mm.traits?.['smithy.api#httpQuery'] as string | undefined;
      if (qn === undefined || !query.has(qn)) continue;
      const type = typeOf(m, mm.target);
      const values = query.getAll(qn);
      input[name] =
        type === 'list' || type === 'set'
          ? values
          : type === 'integer' || type === 'long'
            ? Number(values[0])
            : type === 'boolean'
              ? values[0] === 'true'
              : values[0];
    }
    if (body.length > 0) {
      const parsed = parseJsonBody(body);
      for (const [name, mm] of Object.entries(members)) {
        const w = m.wireName(name, mm);
        if (!m.isHttpBound(mm) && parsed[w] !== undefined) input[name] = parsed[w];
      }
    }
    return { op, input };
  }
  return null;
}

function randomUuid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A small seeded generator (mulberry32) for faults with a `chance`. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
