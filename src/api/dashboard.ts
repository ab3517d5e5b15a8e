import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { QueueHandles } from '../queue/queues.js';

/**
 * The BullMQ dashboard (bull-board) at `basePath`, on a scope whose onRequest hook authenticates first. Read-only
 * by default: retrying, promoting or removing jobs from a browser is an operation, not a view.
 */
export async function registerDashboard(
  scope: FastifyInstance,
  queues: QueueHandles,
  opts: { basePath: string; readOnly: boolean },
): Promise<void> {
  if (opts.readOnly) {
    // bull-board's read-only mode hides the job actions, but its queue-wide routes (pause and resume every queue)
    // still answer: a read-only dashboard takes no write of any kind. Runs after the scope's authentication hook.
    scope.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        await reply.code(405).header('allow', 'GET, HEAD').send({ error: 'the queue dashboard is read-only' });
      }
    });
  }
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(opts.basePath);
  createBullBoard({
    queues: [queues.collect, queues.pack, queues.deliver].map(
      (q) => new BullMQAdapter(q, { readOnlyMode: opts.readOnly }),
    ),
    // @bull-board/fastify pins its own copy of @bull-board/api (9.10.1 vs 9.10.2): same shape, separate declarations.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'auditpack queues' } },
  });
  await scope.register(serverAdapter.registerPlugin(), { prefix: opts.basePath });
}
