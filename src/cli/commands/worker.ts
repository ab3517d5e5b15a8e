import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { pino, type Logger } from 'pino';
import { loadQueueAwareConfig } from '../../queue/config.js';
import { redisTarget } from '../../queue/connection.js';
import { storeOf, workerDeps } from '../../queue/deps.js';
import { RedisUnavailableError, waitForRedis } from '../../queue/producer.js';
import { isQueueName, QUEUE_NAMES, type QueueName } from '../../queue/names.js';
import { HealthPortInUseError, startWorkerRuntime, type WorkerEvent, type WorkerRuntime } from '../../queue/runtime.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { cliClock, generatorInfo, storePath } from '../environment.js';

export interface WorkerFlags {
  queues: string;
  concurrency?: string;
  config?: string;
  store?: string;
  out?: string;
  healthPort?: string;
  health: boolean;
  name?: string;
  shutdownGrace?: string;
  redisWait?: string;
}

/** The worker's logger: JSON on stderr, level from LOG_LEVEL (default info); secrets redacted. */
export function workerLogger(): Logger {
  return pino(
    {
      name: 'auditpack-worker',
      level: process.env['LOG_LEVEL'] ?? 'info',
      redact: {
        paths: ['*.password', '*.token', '*.secretAccessKey', '*.sessionToken', 'options.password'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

function intFlag(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

/** Turns runtime events into log lines (the library itself never logs). */
export function logWorkerEvents(log: Logger): (e: WorkerEvent) => void {
  const lastError = new Map<string, number>();
  return (e) => {
    switch (e.type) {
      case 'ready':
        log.info({ event: 'worker_ready', queues: e.queues, healthPort: e.healthPort }, 'worker ready');
        break;
      case 'active':
        log.info({ event: 'job_active', queue: e.queue, jobId: e.jobId, job: e.name, runId: e.runId }, 'job started');
        break;
      case 'completed':
        log.info(
          { event: 'job_completed', queue: e.queue, jobId: e.jobId, job: e.name, runId: e.runId },
          'job completed',
        );
        break;
      case 'failed':
        log[e.final ? 'error' : 'warn'](
          {
            event: e.final ? 'job_failed' : 'job_retry',
            queue: e.queue,
            jobId: e.jobId,
            job: e.name,
            runId: e.runId,
            attemptsMade: e.attemptsMade,
            error: e.error.message,
          },
          e.final ? 'job failed' : 'job failed, will retry',
        );
        break;
      case 'stalled':
        log.warn({ event: 'job_stalled', queue: e.queue, jobId: e.jobId }, 'job recovered from a worker that stopped');
        break;
      case 'error': {
        // ioredis reports every reconnect attempt; one line per queue per 10 s is enough.
        const key = e.queue ?? 'redis';
        const now = Date.now();
        if (now - (lastError.get(key) ?? 0) > 10_000) {
          lastError.set(key, now);
          log.warn({ event: 'queue_error', queue: e.queue, error: e.error.message }, 'queue connection error');
        }
        break;
      }
      case 'swept':
        log.info({ event: 'temp_swept', files: e.files.length }, 'removed temp files of stopped workers');
        break;
      case 'shutdown-timeout':
        log.warn(
          { event: 'shutdown_timeout', graceMs: e.graceMs },
          'running jobs did not finish in time: cancelled, they will be retried',
        );
        break;
      case 'closed':
        log.info({ event: 'worker_closed' }, 'worker stopped');
        break;
    }
  };
}

/** Runs workers until SIGTERM/SIGINT, then shuts down gracefully; resolves with the exit code. */
export async function runWorker(opts: WorkerFlags, log: Logger = workerLogger()): Promise<number> {
  const queues = opts.queues
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = queues.filter((q) => !isQueueName(q));
  if (bad.length || queues.length === 0)
    throw new UsageError(`--queues: expected some of ${QUEUE_NAMES.join(',')}, got "${opts.queues}"`);
  const concurrency = intFlag(opts.concurrency, '--concurrency', 1, 256);
  const healthPort = intFlag(opts.healthPort, '--health-port', 0, 65535);
  const grace = intFlag(opts.shutdownGrace, '--shutdown-grace', 0, 86_400_000);
  const redisWait = intFlag(opts.redisWait, '--redis-wait', 0, 86_400_000) ?? 30_000;
  const cfg = loadQueueAwareConfig(opts.config);
  const target = redisTarget(cfg.queue);
  const where = storePath(cfg.loaded, opts.store);
  const { store, root } = storeOf(where);
  const deps = workerDeps(cfg, {
    store,
    generator: generatorInfo(),
    now: cliClock(),
    ...(opts.out ? { outDir: opts.out } : {}),
  });
  const selected = queues as QueueName[];
  log.info(
    {
      event: 'worker_starting',
      queues: selected,
      redis: target.description,
      prefix: cfg.queue.prefix,
      store: store.description,
      signing: cfg.signing?.type ?? null,
    },
    'worker starting',
  );

  let runtime: WorkerRuntime | null = null;
  let stopping: Promise<void> | null = null;
  let exitCode: number = EXIT.ok;
  let release: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  const starting = new AbortController();
  const stop = (reason: string, code: number): void => {
    starting.abort();
    if (stopping) {
      log.warn(
        { event: 'worker_forced_exit', reason },
        'second signal: exiting now (running jobs come back after their lock expires)',
      );
      process.exit(code || 130);
    }
    exitCode = code;
    log.info({ event: 'worker_stopping', reason }, 'stopping: no new jobs, waiting for running ones');
    stopping = (runtime?.close(grace) ?? Promise.resolve()).then(release, (err: unknown) => {
      log.error({ event: 'worker_close_failed', error: (err as Error).message }, 'could not close cleanly');
      exitCode = EXIT.internal;
      release();
    });
  };
  const onSigterm = (): void => stop('SIGTERM', EXIT.ok);
  const onSigint = (): void => stop('SIGINT', EXIT.ok);
  const onRejection = (err: unknown): void => {
    log.fatal(
      { event: 'unhandled_rejection', error: err instanceof Error ? err.message : String(err) },
      'unhandled rejection',
    );
    stop('unhandledRejection', EXIT.internal);
  };
  process.on('SIGTERM', onSigterm);
  process.on('SIGINT', onSigint);
  process.on('unhandledRejection', onRejection);
  try {
    // Redis must answer before the workers start (they would wait for it forever, deaf to SIGTERM); once they run,
    // an outage is waited out (the connections retry by themselves).
    try {
      if (!(await waitForRedis(target, redisWait, starting.signal))) return exitCode;
    } catch (err) {
      if (!(err instanceof RedisUnavailableError)) throw err;
      log.fatal({ event: 'redis_unreachable', redis: target.description, error: err.message }, err.message);
      process.stderr.write(`auditpack worker: ${err.name}: ${err.message}\n`);
      return EXIT.internal;
    }
    try {
      runtime = await startWorkerRuntime({
        target,
        settings: cfg.queue,
        queues: selected,
        ...(concurrency ? { concurrency: Object.fromEntries(selected.map((q) => [q, concurrency])) } : {}),
        deps,
        name: opts.name ?? `${hostname()}-${process.pid}`,
        health:
          opts.health === false ? null : { host: cfg.queue.health.host, port: healthPort ?? cfg.queue.health.port },
        storeRoot: root,
        sweep: { minAgeMs: 0 },
        onEvent: logWorkerEvents(log),
      });
    } catch (err) {
      if (err instanceof HealthPortInUseError) throw new UsageError(`--health-port: ${err.message}`);
      throw err;
    }
    if (stopping) await runtime.close(grace);
    await stopped;
    return exitCode;
  } finally {
    process.off('SIGTERM', onSigterm);
    process.off('SIGINT', onSigint);
    process.off('unhandledRejection', onRejection);
  }
}

export function workerCommand(name = 'worker'): Command {
  return new Command(name)
    .description(
      'Run queue workers (Redis): collect, pack (assess → render → bundle) and deliver jobs, until SIGTERM/SIGINT',
    )
    .option('--queues <names>', `queues to work on (${QUEUE_NAMES.join(',')})`, QUEUE_NAMES.join(','))
    .option('--concurrency <n>', 'jobs at once per queue (default: config queue.concurrency)')
    .option('--config <file>', 'config file (default: ./auditpack.yaml if present)')
    .option(
      '--store <dir>',
      'evidence store directory shared by all workers (default: config store.path, or AUDITPACK_STORE)',
    )
    .option('--out <dir>', 'where scheduled packs are written, one directory per run (default: config output.dir)')
    .option('--health-port <port>', 'port of GET /healthz (default: config queue.health.port; 0 = any free port)')
    .addOption(new Option('--no-health', 'no health endpoint'))
    .option('--name <name>', 'worker name shown in the dashboard (default: host-pid)')
    .option(
      '--shutdown-grace <ms>',
      'on SIGTERM, wait this long for running jobs (default: config queue.shutdownGraceMs)',
    )
    .option('--redis-wait <ms>', 'at start, wait this long for Redis to answer, then exit 3 (default 30000)')
    .addHelpText(
      'after',
      '\nRedis: config queue.redis, or AUDITPACK_REDIS_URL; key prefix: queue.prefix or AUDITPACK_QUEUE_PREFIX.\nExit codes: 0 stopped on a signal, 2 bad flags or config, 3 Redis unreachable at start (--redis-wait) or an unexpected failure.',
    )
    .action(async (opts: WorkerFlags) => {
      process.exitCode = await runWorker(opts);
      // Stopped: when Redis was unreachable at shutdown, BullMQ's close could not finish and its timers and
      // reconnecting sockets would keep the process alive for ever. An unref'd timer ends it then, and only then.
      setTimeout(() => process.exit(), 3000).unref();
    });
}

/** `auditpack worker ...` */
export function registerWorker(program: Command): void {
  program.addCommand(workerCommand());
}
