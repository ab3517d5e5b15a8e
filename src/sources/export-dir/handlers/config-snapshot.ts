import { normalizeConfigurationItem } from '../../../normalizers/config/configuration-item.js';
import { NormalizeError, describe } from '../../../normalizers/types.js';
import { dayWindow } from '../../../normalizers/cloudtrail/activity.js';
import { errorObservation, fileMeta, type Emit } from '../emit.js';
import { decodeUtf8, gunzipInput, parseJson, type FileInput, type ReadLimits } from '../read.js';

/** An AWS Config snapshot file → one `config.configuration_item` per item; bad items are reported per file. */
export async function handleConfigSnapshot(
  file: FileInput,
  route: { account: string; region: string; day: string },
  limits: ReadLimits,
  emit: Emit,
): Promise<void> {
  const where = { account: route.account, region: route.region, observedAt: dayWindow(route.day) };
  let items: unknown[];
  try {
    const doc = parseJson(decodeUtf8(gunzipInput(file, limits), file.rel), file.rel, limits);
    const list = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)['configurationItems'] : undefined;
    if (!Array.isArray(list)) throw new NormalizeError(file.rel, `expected {"configurationItems":[...]}, got ${describe(doc)} without it`, 'UnknownShape');
    items = list;
  } catch (err) {
    await emit(errorObservation('config.configuration_item', 'config', where, file, err));
    return;
  }
  const problems: string[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      const meta = { ...fileMeta(file, route.account, route.region), sources: [{ type: 'file' as const, path: file.rel, sha256: file.sha256, locator: `configurationItems[${i}]` }] };
      const obs = normalizeConfigurationItem(items[i], meta, `configurationItems[${i}]`);
      await emit({ ...obs, raw: { bytes: Buffer.from(JSON.stringify(items[i])), mediaType: 'application/json', sensitive: false } });
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      problems.push(err.problem);
    }
  }
  if (problems.length > 0) {
    const summary = `${problems.length} of ${items.length} configuration items are malformed: ${problems.slice(0, 3).join('; ')}`;
    await emit(errorObservation('config.configuration_item', 'config', where, file, new NormalizeError(file.rel, summary, 'MalformedRecords')));
  }
}
