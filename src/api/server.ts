/**
 * The HTTP API: trigger a pack (officer), read its status (officer), download its signed bundle (officer, or an
 * auditor the pack is shared with), and the queue dashboard (officer, operator). Bearer tokens, hashed in the
 * config; failed authentications rate-limited per client address; security headers on every response.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LoadedConfig } from '../config/load.js';
import { listFrameworkIds } from '../frameworks/load.js';
import { enqueuePack } from '../queue/enqueue.js';
import { JobIdError, runIdOfPackJob } from '../queue/names.js';
import { liveScope, planPack, PlanError } from '../queue/plan.js';
import type { QueueHandles } from '../queue/queues.js';
import { packStatus } from '../queue/status.js';
import { parsePeriod } from '../util/time.js';
import { presentedToken, sharedWith, TokenVerifier, type Principal } from './auth.js';
import { localBundles, type BundleSource } from './bundles.js';
import type { ApiSettings, Role } from './config.js';
import { registerDashboard } from './dashboard.js';
import { MemoryFailureLimiter, type FailureLimiter } from './limiter.js';
import { DASHBOARD_PATH, securityHeaders } from './security.js';
import { HttpError, invalid, isRedisDown, publicStatus, RUN_ID, TriggerBody } from './http.js';

export interface ApiDeps {
  readonly settings: ApiSettings;
  readonly queues: QueueHandles;
  /** The deployment's config: triggered packs are planned from it (organisation, scope, exceptions). */
  readonly loaded: LoadedConfig;
  /** Whether the workers sign bundles (a `signing:` config): triggered packs ask for one by default. */
  readonly signing: boolean;
  /** Where triggered packs are written, one directory per run. */
  readonly outDir: string;
  /** Export directories a trigger may name: name → absolute path. */
  readonly sources: Readonly<Record<string, string>>;
  readonly now?: () => Date;
  readonly logger?: FastifyBaseLogger;
  readonly bundles?: BundleSource;
  readonly limiter?: FailureLimiter;
  /** For /healthz. */
  readonly redisUp?: () => Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const s = deps.settings;
  const verifier = new TokenVerifier(s.tokens);
  const limiter = deps.limiter ?? new MemoryFailureLimiter(s.rateLimit.maxFailures, s.rateLimit.windowSeconds * 1000);
  const now = deps.now ?? ((): Date => new Date());
  const bundles = deps.bundles ?? localBundles;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    trustProxy: s.trustProxy,
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
    return503OnClosing: true,
  });

  // JSON only: anything else is 415 Unsupported Media Type.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (request, reply, payload) => {
    securityHeaders(request, reply);
    return payload;
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: 'not found' });
  });
  app.setErrorHandler((err: unknown, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.message, ...err.extra });
    const e = err as { statusCode?: number; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
      return reply.code(e.statusCode).send({ error: e.message ?? 'bad request' });
    if (isRedisDown(err)) return reply.code(503).send({ error: 'the queue (Redis) is unavailable' });
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  /** 429 when the address failed too often; 401 without a valid token; 403 when the role may not do this. */
  const authenticate = async (
    request: FastifyRequest,
    reply: FastifyReply,
    roles: readonly Role[],
    basic = false,
  ): Promise<Principal> => {
    const wait = limiter.blockedFor(request.ip);
    if (wait > 0) {
      void reply.header('retry-after', String(wait));
      throw new HttpError(429, 'too many failed authentications from this address; try again later');
    }
    const token = presentedToken(request.headers.authorization, basic);
    if (token === null) {
      void reply.header(
        'www-authenticate',
        basic ? 'Basic realm="auditpack queues", charset="UTF-8"' : 'Bearer realm="auditpack"',
      );
      throw new HttpError(401, 'authentication required: Authorization: Bearer <token>');
    }
    const principal = await verifier.verify(token);
    if (!principal) {
      limiter.fail(request.ip);
      void reply.header(
        'www-authenticate',
        basic ? 'Basic realm="auditpack queues", charset="UTF-8"' : 'Bearer realm="auditpack", error="invalid_token"',
      );
      throw new HttpError(401, 'invalid token');
    }
    if (!roles.includes(principal.role)) throw new HttpError(403, `the ${principal.role} role may not do this`);
    request.principal = principal;
    return principal;
  };
  const allow =
    (...roles: Role[]) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      await authenticate(request, reply, roles);
    };
  const runIdParam = (request: FastifyRequest): string => {
    const id = (request.params as { id?: string }).id ?? '';
    if (!RUN_ID.test(id) || id.includes('__'))
      throw new HttpError(400, 'invalid request: id: not a pack id', {
        issues: [{ field: 'id', message: 'not a pack id' }],
      });
    return id;
  };

  app.get('/healthz', async () => {
    const up = deps.redisUp ? await deps.redisUp() : true;
    return { status: up ? 'ok' : 'degraded', redis: up ? 'up' : 'down' };
  });

  app.post('/packs', { preHandler: allow('officer') }, async (request, reply) => {
    const parsed = TriggerBody.safeParse(request.body ?? {});
    if (!parsed.success) throw invalid(parsed.error.issues);
    const b = parsed.data;
    const known = listFrameworkIds();
    const frameworks = b.frameworks ?? deps.loaded.config.frameworks;
    const issues: { path: PropertyKey[]; message: string }[] = [];
    frameworks.forEach((f, i) => {
      if (!known.includes(f))
        issues.push({ path: ['frameworks', i], message: `unknown framework (known: ${known.join(', ')})` });
    });
    const period = b.period ?? deps.loaded.config.period ?? previousMonth(now());
    try {
      parsePeriod(period);
    } catch (err) {
      issues.push({ path: ['period'], message: (err as Error).message });
    }
    b.sources.forEach((name, i) => {
      if (!deps.sources[name])
        issues.push({
          path: ['sources', i],
          message: `not a configured source (api.sources: ${Object.keys(deps.sources).join(', ') || 'none'})`,
        });
    });
    const bundle = b.bundle ?? deps.signing;
    if (bundle && !deps.signing)
      issues.push({ path: ['bundle'], message: 'this deployment has no signing configuration' });
    if (b.deliver.length && !bundle)
      issues.push({ path: ['deliver'], message: 'delivery sends the signed bundle: it needs bundle true' });
    if (issues.length) throw invalid(issues);
    let plan;
    try {
      plan = planPack(
        deps.loaded,
        deps.queues.jobOptions,
        {
          frameworks,
          period,
          ...(b.asOf ? { assessedAt: new Date(b.asOf).toISOString() } : {}),
          sources: b.sources.map((n) => deps.sources[n]!),
          live: b.live ? liveScope(deps.loaded) : null,
          out: { dir: deps.outDir, perRun: true },
          bundle,
          deliver: b.deliver,
          trigger: { by: 'api', name: request.principal!.name },
        },
        now(),
      );
    } catch (err) {
      if (err instanceof PlanError || err instanceof JobIdError) throw invalid([{ path: [], message: err.message }]);
      throw err;
    }
    const r = await enqueuePack(deps.queues, plan);
    request.log.info(
      { event: 'pack_triggered', runId: r.runId, created: r.created, by: request.principal!.name },
      'pack triggered',
    );
    return reply.code(r.created ? 202 : 200).send({
      id: r.runId,
      created: r.created,
      state: r.state,
      statusUrl: `/packs/${r.runId}`,
      bundleUrl: bundle ? `/packs/${r.runId}/bundle` : null,
    });
  });

  app.get('/packs', { preHandler: allow('officer') }, async (request) => {
    const limit = Math.min(Math.max(Number((request.query as { limit?: string }).limit ?? 50) || 50, 1), 200);
    const jobs = await deps.queues.pack.getJobs(
      ['active', 'waiting', 'waiting-children', 'delayed', 'prioritized', 'completed', 'failed'],
      0,
      limit - 1,
      false,
    );
    const out = [];
    for (const job of jobs) {
      const id = runIdOfPackJob(job.id);
      if (!id || job.data.kind !== 'pack') continue;
      out.push({
        id,
        state: await job.getState(),
        period: job.data.assess.period,
        frameworks: job.data.assess.frameworks,
        createdAt: new Date(job.timestamp).toISOString(),
        url: `/packs/${id}`,
      });
    }
    return { packs: out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)) };
  });

  app.get('/packs/:id', { preHandler: allow('officer') }, async (request) => {
    const id = runIdParam(request);
    const status = await packStatus(deps.queues, id);
    if (!status) throw new HttpError(404, `no pack ${id}`);
    return publicStatus(status);
  });

  app.get('/packs/:id/bundle', { preHandler: allow('officer', 'auditor') }, async (request, reply) => {
    const id = runIdParam(request);
    const who = request.principal!;
    // Checked before looking anything up, so an auditor learns nothing about packs not shared with them.
    if (who.role === 'auditor' && !sharedWith(who, id)) throw new HttpError(403, 'this pack is not shared with you');
    const status = await packStatus(deps.queues, id);
    if (!status) throw new HttpError(404, `no pack ${id}`);
    const bundle = status.result?.bundle;
    if (status.jobState !== 'completed' || !bundle)
      throw new HttpError(409, `pack ${id} has no bundle yet (state: ${status.state})`, { state: status.state });
    const opened = await bundles.open(id, bundle);
    if (!opened) throw new HttpError(410, `the bundle of pack ${id} is no longer available`);
    request.log.info({ event: 'bundle_download', runId: id, by: who.name, role: who.role }, 'bundle download');
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="auditpack-${id}.zip"`)
      .header('content-length', String(opened.size))
      .header('x-content-sha256', opened.sha256)
      .send(opened.stream);
  });

  if (s.dashboard.enabled) {
    await app.register(async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        await authenticate(request, reply, ['officer', 'operator'], true);
      });
      await registerDashboard(scope, deps.queues, { basePath: DASHBOARD_PATH, readOnly: s.dashboard.readOnly });
    });
  }
  return app;
}

function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
