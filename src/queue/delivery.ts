import type { DeliveryContext, DeliveryHandler, DeliveryReceipt, DeliveryRequest } from './types.js';
import { DeliveryError } from './types.js';

/**
 * Several handlers behind one (the built-in directory targets plus, e.g., S3 or Audit Manager): each target goes
 * to the handler that serves it, in the order of the request.
 */
export function combineDeliveryHandlers(handlers: readonly DeliveryHandler[]): DeliveryHandler {
  const byTarget = new Map<string, DeliveryHandler>();
  for (const h of handlers) {
    for (const t of h.targets) {
      if (byTarget.has(t)) throw new DeliveryError(`delivery target ${t} is served by two handlers`, false);
      byTarget.set(t, h);
    }
  }
  return {
    targets: [...byTarget.keys()].sort(),
    async deliver(ctx: DeliveryContext, request: DeliveryRequest): Promise<readonly DeliveryReceipt[]> {
      const receipts: DeliveryReceipt[] = [];
      for (const target of request.targets) {
        const h = byTarget.get(target);
        if (!h) throw new DeliveryError(`unknown delivery target ${target}`, false);
        receipts.push(...(await h.deliver(ctx, { ...request, targets: [target] })));
      }
      return receipts;
    },
  };
}
