import path from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { hashToken, newToken } from '../../api/auth.js';
import { buildApi } from '../../api/server.js';
import { loadQueueAwareConfig } from '../../queue/config.js';
import { pingRedis, redisClient, redisTarget } from '../../queue/connection.js';
import { openProducer } from '../../queue/producer.js';
import { EXIT, UsageError } from '../exit-codes.js';

interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
  hashToken?: boolean;
  sha256?: boolean;
  newToken?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Runs the HTTP API until SIGTERM/SIGINT; resolves with the exit code. */
export async function runServe(opts: ServeFlags): Promise<number> {
  if (opts.newToken) {
    const token = newToken();
    process.stdout.write(`token (give it to its holder once; it is not stored): ${token}\n`);
    process.stdout.write(
      `config (api.tokens):\n  - name: <holder>\n    role: officer   # or auditor (with packs: [...]) or operator\n    hash: ${await hashToken(token, 'sha256')}\n`,
    );
    return EXIT.ok;
  }
  if (opts.hashToken) {
    const token = await readStdin();
    if (!token)
      throw new UsageError(
        '--hash-token: give the token on stdin (not as an argument, so it stays out of shell history)',
      );
    process.stdout.write(`${await hashToken(token, opts.sha256 ? 'sha256' : 'scrypt')}\n`);
    return EXIT.ok;
  }
  const cfg = loadQueueAwareConfig(opts.config);
  const api = cfg.api;
  if (api.tokens.length === 0)
    throw new UsageError('api.tokens: configure at least one (hashed) token; `auditpack serve --new-token` makes one');
  const port = opts.port !== undefined ? Number(opts.port) : api.listen.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${opts.port}" is not a port`);
  const host = opts.host ?? api.listen.host;
  const log = pino(
    {
      name: 'auditpack-api',
      level: process.env['LOG_LEVEL'] ?? 'info',
      redact: { paths: ['req.headers.authorization', '*.token', '*.hash'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  const queues = await openProducer(cfg);
  // For /healthz: a client that waits for its connection (up to the ping's deadline) rather than failing at once.
  const probe = redisClient(redisTarget(cfg.queue));
  probe.on('error', () => undefined);
  const app = await buildApi({
    settings: api,
    queues,
    loaded: cfg.loaded,
    signing: cfg.signing !== null,
    outDir: path.resolve(cfg.loaded.baseDir, api.outDir ?? cfg.loaded.config.output.dir),
    sources: Object.fromEntries(
      Object.entries(api.sources).map(([name, dir]) => [name, path.resolve(cfg.loaded.baseDir, dir)]),
    ),
    logger: log,
    redisUp: () => pingRedis(probe),
  });
  let release: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'api_stopping', signal }, 'stopping');
    // Running downloads get a while to finish; then every connection is closed.
    const force = setTimeout(() => app.server.closeAllConnections(), 15_000);
    force.unref();
    void app
      .close()
      .then(() => queues.close())
      .then(() => probe.quit().catch(() => probe.disconnect()))
      .finally(release);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    const address = await app.listen({ host, port });
    log.info(
      { event: 'api_listening', address, tokens: api.tokens.length, dashboard: api.dashboard.enabled },
      'listening',
    );
    await stopped;
    log.info({ event: 'api_stopped' }, 'stopped');
    return EXIT.ok;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

export function registerServe(program: Command): void {
  program.addCommand(
    new Command('serve')
      .description(
        'Run the HTTP API: trigger packs, follow them, download signed bundles; queue dashboard at /admin/queues',
      )
      .option('--config <file>', 'config file (default: ./auditpack.yaml if present)')
      .option('--host <host>', 'address to listen on (default: config api.listen.host)')
      .option('--port <port>', 'port (default: config api.listen.port; 0 = any free port)')
      .option('--hash-token', 'read a token on stdin and print its hash for api.tokens (scrypt), then exit')
      .option('--sha256', 'with --hash-token: a sha256 hash (only for long random tokens)')
      .option('--new-token', 'print a new random token and its hash, then exit')
      .addHelpText(
        'after',
        '\nRoles: officer (trigger, read, download), auditor (download the packs listed for the token), operator (dashboard).\nExit codes: 0 stopped on a signal, 2 bad flags or config, 3 Redis unreachable or unexpected failure.',
      )
      .action(async (opts: ServeFlags) => {
        process.exitCode = await runServe(opts);
      }),
  );
}
