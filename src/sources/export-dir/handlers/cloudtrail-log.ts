import { collected } from '../../../evidence/observation.js';
import { ActivityAggregator, dayWindow } from '../../../normalizers/cloudtrail/activity.js';
import { eventContent, parseEvent } from '../../../normalizers/cloudtrail/event.js';
import { NormalizeError, describe } from '../../../normalizers/types.js';
import { errorObservation, type Emit } from '../emit.js';
import { decodeUtf8, gunzipInput, parseJson, type FileInput, type ReadLimits } from '../read.js';

/**
 * One CloudTrail log file → one `cloudtrail.activity` aggregate plus a `cloudtrail.event` per kept event.
 * Malformed records are reported in one error item for the file (events we could not read might have been
 * the sensitive ones); the readable records are still counted.
 */
export async function handleCloudTrailLog(
  file: FileInput,
  route: { account: string; region: string; day: string },
  limits: ReadLimits,
  emit: Emit,
): Promise<void> {
  const window = dayWindow(route.day);
  const where = { account: route.account, region: route.region, observedAt: window };
  let records: unknown[];
  let inflated: Buffer;
  try {
    inflated = gunzipInput(file, limits);
    const doc = parseJson(decodeUtf8(inflated, file.rel), file.rel, limits);
    const r = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)['Records'] : undefined;
    if (!Array.isArray(r)) throw new NormalizeError(file.rel, `expected {"Records":[...]}, got ${describe(doc)} without a Records array`, 'UnknownShape');
    records = r;
  } catch (err) {
    await emit(errorObservation('cloudtrail.activity', 'cloudtrail', where, file, err));
    return;
  }

  const agg = new ActivityAggregator(route.day);
  agg.addFile();
  const problems: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const locator = `Records[${i}]`;
    let ev;
    try {
      ev = parseEvent(records[i], `${file.rel} ${locator}`);
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      problems.push(err.problem ? `${locator}: ${err.problem}` : locator);
      continue;
    }
    if (!agg.add(ev)) continue;
    const content = eventContent(ev);
    if (!content) continue;
    await emit(
      collected(
        {
          collector: 'cloudtrail',
          kind: 'cloudtrail.event',
          account: ev.accountId && /^\d{12}$/.test(ev.accountId) ? ev.accountId : route.account,
          region: ev.awsRegion,
          resource: `cloudtrail-event/${ev.eventId}`,
          observedAt: { type: 'instant', at: ev.eventTime },
          raw: { bytes: Buffer.from(JSON.stringify(records[i])), mediaType: 'application/json', sensitive: false },
          sources: [{ type: 'file', path: file.rel, sha256: file.sha256, locator }],
        },
        content,
      ),
    );
  }
  await emit(
    collected(
      {
        collector: 'cloudtrail',
        kind: 'cloudtrail.activity',
        account: route.account,
        region: route.region,
        resource: file.rel.slice(Math.max(0, file.rel.indexOf('AWSLogs/'))),
        observedAt: window,
        raw: { bytes: inflated, mediaType: 'application/json', sensitive: false },
        sources: [{ type: 'file', path: file.rel, sha256: file.sha256 }],
      },
      agg.result(),
    ),
  );
  if (problems.length > 0) {
    const summary = `${problems.length} of ${records.length} records are malformed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`;
    await emit(errorObservation('cloudtrail.event', 'cloudtrail', where, file, new NormalizeError(file.rel, summary, 'MalformedRecords')));
  }
}
