/**
 * The deliver queue's bridge to the targets configured under `delivery:` (S3, a directory, AWS Audit Manager):
 * target names `s3`, `dir` and `audit-manager`, each delivered with the delivery module's own `deliver` (which
 * inspects and verifies the bundle first).
 */
import type { DeliveryConfig } from '../delivery/config.js';
import {
  createDeliveryTarget,
  deliver,
  DeliveryInputError,
  type DeliveryReceipt as TargetReceipt,
  type TargetName,
} from '../delivery/index.js';
import type { EvidenceStore } from '../evidence/store.js';
import {
  DeliveryError,
  type DeliveryContext,
  type DeliveryHandler,
  type DeliveryReceipt,
  type DeliveryRequest,
} from './types.js';

function location(r: TargetReceipt): string {
  switch (r.kind) {
    case 's3':
      return r.location;
    case 'local-directory':
      return r.path;
    case 'audit-manager':
      return `auditmanager:${r.assessmentId}`;
  }
}

export function configuredDelivery(
  config: DeliveryConfig | undefined,
  opts: { baseDir: string; store: EvidenceStore },
): DeliveryHandler | null {
  const targets: TargetName[] = [];
  if (config?.s3) targets.push('s3');
  if (config?.directory) targets.push('dir');
  if (config?.auditManager) targets.push('audit-manager');
  if (targets.length === 0) return null;
  return {
    targets,
    async deliver(ctx: DeliveryContext, request: DeliveryRequest): Promise<readonly DeliveryReceipt[]> {
      const receipts: DeliveryReceipt[] = [];
      for (const [i, name] of request.targets.entries()) {
        if (!targets.includes(name as TargetName))
          throw new DeliveryError(`delivery target ${name} is not configured`, false);
        ctx.onProgress?.(i, request.targets.length, name);
        const target = createDeliveryTarget(name as TargetName, config, {
          baseDir: opts.baseDir,
          store: opts.store,
          runId: request.runId,
        });
        try {
          const r = await deliver(target, request.bundlePath, {
            ...(ctx.signal ? { signal: ctx.signal } : {}),
            now: ctx.now,
          });
          receipts.push({ target: name, location: location(r), sha256: r.bundle.sha256, bytes: r.bundle.size });
        } catch (err) {
          if (err instanceof DeliveryInputError)
            throw new DeliveryError(`${name}: ${err.message}`, false, { cause: err });
          throw err;
        } finally {
          target.close?.();
        }
      }
      ctx.onProgress?.(request.targets.length, request.targets.length, 'done');
      return receipts;
    },
  };
}
