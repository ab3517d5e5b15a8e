import { normalizeTrails } from '../../../normalizers/cloudtrail/trail.js';
import type { FileInput } from '../read.js';
import { cliMeta, normalizeOrReport, qualified, readCliJson, type CliContext } from './cli-common.js';

/** describe-trails joined with get-trail-status.<trail> and get-event-selectors.<trail>. */
export async function handleCliCloudTrail(ctx: CliContext): Promise<void> {
  const describe = ctx.dir.files.get('describe-trails');
  if (!describe) return;
  const statuses = new Map<string, unknown>();
  const selectors = new Map<string, unknown>();
  const joined: FileInput[] = [];
  for (const [name, file] of qualified(ctx.dir, 'get-trail-status')) {
    const v = await readCliJson(ctx, file, 'cloudtrail.trail', 'cloudtrail');
    if (v !== undefined) {
      statuses.set(name, v);
      joined.push(file);
    }
  }
  for (const [name, file] of qualified(ctx.dir, 'get-event-selectors')) {
    const v = await readCliJson(ctx, file, 'cloudtrail.trail', 'cloudtrail');
    if (v !== undefined) {
      selectors.set(name, v);
      joined.push(file);
    }
  }
  const doc = await readCliJson(ctx, describe, 'cloudtrail.trail', 'cloudtrail');
  if (doc === undefined) return;
  await normalizeOrReport(ctx, describe, 'cloudtrail.trail', 'cloudtrail', async () => {
    for (const obs of normalizeTrails(doc, statuses, selectors, cliMeta(ctx, describe, joined))) await ctx.emit(obs);
  });
}
