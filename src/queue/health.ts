import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly redis: 'up' | 'down';
  readonly worker: 'running' | 'closing';
  readonly queues: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /healthz` → 200 with the report when Redis answers and the worker runs, 503 otherwise (a load balancer or
 * Kubernetes probe only looks at the status). Anything else is 404. Binds to loopback unless told otherwise.
 */
export async function startHealthServer(opts: {
  host: string;
  port: number;
  report: () => Promise<HealthReport>;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') {
      res.writeHead(404, headers).end('{"error":"not found"}\n');
      return;
    }
    opts.report().then(
      (r) => res.writeHead(r.status === 'ok' ? 200 : 503, headers).end(JSON.stringify(r) + '\n'),
      () => res.writeHead(503, headers).end('{"status":"degraded"}\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
