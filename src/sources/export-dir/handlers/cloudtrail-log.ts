import { collected, type AnyObservation } from '../../../evidence/observation.js';
import { ActivityAggregator, dayWindow } from '../../../normalizers/cloudtrail/activity.js';
import { CATEGORY_RULES } from '../../../normalizers/cloudtrail/classify.js';
import { EventRuleIndex } from '../../../normalizers/cloudtrail/event-rules.js';
import { eventContent, parseEvent, type ParsedEvent } from '../../../normalizers/cloudtrail/event.js';
import {
  Kind,
  fieldString,
  isPlainUtcSecond,
  isNonEmptyString,
  nonEmptyString,
  scanCloudTrailLog,
  type RecordFields,
} from '../../../normalizers/cloudtrail/scan.js';
import { NormalizeError, describe } from '../../../normalizers/types.js';
import { toIsoInstant } from '../../../util/time.js';
import { emitAll, errorObservation, type Emit } from '../emit.js';
import { decodeUtf8, gunzipInput, parseJson, type FileInput, type ReadLimits } from '../read.js';

type Route = { account: string; region: string; day: string };

/**
 * One CloudTrail log file → one `cloudtrail.activity` aggregate plus a `cloudtrail.event` per kept event.
 * Malformed records are reported in one error item for the file (events we could not read might have been
 * the sensitive ones); the readable records are still counted.
 *
 * The file is read by a byte scanner (`normalizers/cloudtrail/scan.ts`): records are located and aggregated
 * without building an object per record, and only the records that may be kept as evidence are parsed, from their
 * own byte slice, by the same `parseEvent`/`eventContent` as the plain path. A kept event's raw payload is its
 * bytes as delivered. Whatever the scanner cannot vouch for goes through `JSON.parse`: a record it does not model
 * (its slice), or a whole file it cannot validate (`handleCloudTrailLogPlain`). Both paths give the same items
 * (test/sources/cloudtrail-fast-path.test.ts).
 */
export async function handleCloudTrailLog(
  file: FileInput,
  route: Route,
  limits: ReadLimits,
  emit: Emit,
): Promise<void> {
  const where = { account: route.account, region: route.region, observedAt: dayWindow(route.day) };
  let inflated: Buffer;
  try {
    inflated = gunzipInput(file, limits);
  } catch (err) {
    await emit(errorObservation('cloudtrail.activity', 'cloudtrail', where, file, err));
    return;
  }
  const scanned = scanFile(inflated, file.rel, route.day, limits);
  if (!scanned) return emitFromRecords(file, route, inflated, limits, emit);

  const kept = new KeptEvents(file, route, emit);
  for (let k = 0; k < scanned.kept.length; k += 3) {
    const index = scanned.kept[k]!;
    const slice = inflated.subarray(scanned.kept[k + 1], scanned.kept[k + 2]);
    const locator = `Records[${index}]`;
    // Parsed again only to build the content: the scan already proved the slice is one valid, readable record.
    await kept.add(parseEvent(JSON.parse(slice.toString('utf8')), `${file.rel} ${locator}`), locator, slice);
  }
  await kept.flush();
  await emitActivity(file, route, scanned.agg, emit);
  await emitProblems(file, where, scanned.problems, scanned.records, emit);
}

/** Kept events handed over in groups of at most this many (or this many raw bytes): one store write per group. */
const GROUP_EVENTS = 4096;
const GROUP_BYTES = 16 * 1024 * 1024;

/**
 * A log file's kept events, emitted in groups (`emitAll`): the local store writes a group as one segment. Groups
 * are cut at the same events on every run, so re-collecting a file finds the same segments.
 */
class KeptEvents {
  private group: AnyObservation[] = [];
  private bytes = 0;

  constructor(
    private readonly file: FileInput,
    private readonly route: Route,
    private readonly emit: Emit,
  ) {}

  async add(ev: ParsedEvent, locator: string, raw: Uint8Array): Promise<void> {
    const obs = eventObservation(this.file, this.route, ev, locator, raw);
    if (!obs) return;
    this.group.push(obs);
    this.bytes += raw.byteLength;
    if (this.group.length >= GROUP_EVENTS || this.bytes >= GROUP_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const group = this.group;
    this.group = [];
    this.bytes = 0;
    await emitAll(this.emit, group);
  }
}

/**
 * The plain path: JSON.parse of the whole file, parseEvent per record. The fast path falls back to it for files the
 * scanner cannot vouch for, and the differential test holds the fast path to it.
 */
export async function handleCloudTrailLogPlain(
  file: FileInput,
  route: Route,
  limits: ReadLimits,
  emit: Emit,
): Promise<void> {
  const where = { account: route.account, region: route.region, observedAt: dayWindow(route.day) };
  let inflated: Buffer;
  try {
    inflated = gunzipInput(file, limits);
  } catch (err) {
    await emit(errorObservation('cloudtrail.activity', 'cloudtrail', where, file, err));
    return;
  }
  await emitFromRecords(file, route, inflated, limits, emit);
}

async function emitFromRecords(
  file: FileInput,
  route: Route,
  inflated: Buffer,
  limits: ReadLimits,
  emit: Emit,
): Promise<void> {
  const where = { account: route.account, region: route.region, observedAt: dayWindow(route.day) };
  let records: unknown[];
  try {
    const doc = parseJson(decodeUtf8(inflated, file.rel), file.rel, limits);
    const r =
      doc !== null && typeof doc === 'object' && !Array.isArray(doc)
        ? (doc as Record<string, unknown>)['Records']
        : undefined;
    if (!Array.isArray(r))
      throw new NormalizeError(
        file.rel,
        `expected {"Records":[...]}, got ${describe(doc)} without a Records array`,
        'UnknownShape',
      );
    records = r;
  } catch (err) {
    await emit(errorObservation('cloudtrail.activity', 'cloudtrail', where, file, err));
    return;
  }

  const agg = new ActivityAggregator(route.day);
  agg.addFile();
  const problems: string[] = [];
  const kept = new KeptEvents(file, route, emit);
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
    await kept.add(ev, locator, Buffer.from(JSON.stringify(records[i])));
  }
  await kept.flush();
  await emitActivity(file, route, agg, emit);
  await emitProblems(file, where, problems, records.length, emit);
}

/**
 * The category rules without their request-parameter conditions: an event none of these match can get no category
 * whatever its request parameters, so only the records they match need parsing in full (a superset of the kept ones).
 */
const MAY_KEEP = new EventRuleIndex(CATEGORY_RULES.map(({ param: _param, ...rule }) => rule));

function mayBeKept(eventSource: string, eventName: string, readOnly: boolean | null): boolean {
  return MAY_KEEP.match({ eventSource, eventName, readOnly, requestParameters: null }).length > 0;
}

interface Scanned {
  readonly agg: ActivityAggregator;
  /** Triples (record index, start, end) of the records to emit, in order. */
  readonly kept: number[];
  readonly problems: string[];
  readonly records: number;
}

/** Phase one of the fast path: aggregate and pick the kept records; null when the plain path must read the file. */
function scanFile(inflated: Buffer, rel: string, day: string, limits: ReadLimits): Scanned | null {
  const agg = new ActivityAggregator(day);
  agg.addFile();
  const kept: number[] = [];
  const problems: string[] = [];
  // eventSource|eventName|readOnly → whether the record may be kept: a few hundred distinct keys per file at most.
  const keepCache = new Map<string, boolean>();

  const slow = (index: number, start: number, end: number): void => {
    const locator = `Records[${index}]`;
    let ev: ParsedEvent;
    try {
      ev = parseEvent(JSON.parse(inflated.toString('utf8', start, end)), `${rel} ${locator}`);
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      problems.push(err.problem ? `${locator}: ${err.problem}` : locator);
      return;
    }
    if (agg.add(ev) && eventContent(ev)) kept.push(index, start, end);
  };

  const records = scanCloudTrailLog(inflated, limits.maxJsonDepth, (index, start, end, f) => {
    const fast = fastFields(inflated, f);
    if (!fast) return slow(index, start, end);
    if (!agg.addFields(fast.eventId, fast.eventSource, fast.eventName, fast.principalKey, fast.errorCode)) return;
    const readOnly = f.readOnly.kind === Kind.True ? true : f.readOnly.kind === Kind.False ? false : null;
    const key = `${fast.eventSource}|${fast.eventName}|${readOnly}`;
    let may = keepCache.get(key);
    if (may === undefined) keepCache.set(key, (may = mayBeKept(fast.eventSource, fast.eventName, readOnly)));
    if (may) kept.push(index, start, end);
  });
  return records === null ? null : { agg, kept, problems, records };
}

/** Reused: the scan visits one record at a time. */
const FAST = { eventId: '', eventSource: '', eventName: '', principalKey: '', errorCode: null as string | null };

/**
 * The aggregate fields of a record when every one is what parseEvent accepts without complaint (else null: the
 * record is parsed in full, so a malformed one gets parseEvent's own message).
 */
function fastFields(b: Buffer, f: RecordFields): typeof FAST | null {
  if (f.unusual) return null;
  const eventId = nonEmptyString(b, f.eventID);
  const eventSource = nonEmptyString(b, f.eventSource);
  const eventName = nonEmptyString(b, f.eventName);
  if (eventId === null || eventSource === null || eventName === null || !isNonEmptyString(f.awsRegion))
    return null;
  if (!isPlainUtcSecond(b, f.eventTime)) {
    const t = nonEmptyString(b, f.eventTime);
    if (t === null) return null;
    try {
      toIsoInstant(t);
    } catch {
      return null;
    }
  }
  FAST.eventId = eventId;
  FAST.eventSource = eventSource;
  FAST.eventName = eventName;
  FAST.errorCode = f.errorCode.kind === Kind.String ? fieldString(b, f.errorCode) : null;
  FAST.principalKey = principalKey(b, f);
  return FAST;
}

/** principalOf(...).issuerArn ?? .arn ?? `type:${type}`, from the captured userIdentity members. */
function principalKey(b: Buffer, f: RecordFields): string {
  if (f.userIdentity.kind !== Kind.Object) return 'type:Unknown';
  const issuer = nonEmptyString(b, f.issuerArn);
  if (issuer !== null) return issuer;
  const arn = nonEmptyString(b, f.uiArn);
  if (arn !== null) return arn;
  const invokedBy = nonEmptyString(b, f.uiInvokedBy);
  if (invokedBy !== null) return `service:${invokedBy}`;
  return `type:${nonEmptyString(b, f.uiType) ?? 'Unknown'}`;
}

function eventObservation(
  file: FileInput,
  route: Route,
  ev: ParsedEvent,
  locator: string,
  raw: Uint8Array,
): AnyObservation | null {
  const content = eventContent(ev);
  if (!content) return null;
  return collected(
    {
      collector: 'cloudtrail',
      kind: 'cloudtrail.event',
      account: ev.accountId && /^\d{12}$/.test(ev.accountId) ? ev.accountId : route.account,
      region: ev.awsRegion,
      resource: `cloudtrail-event/${ev.eventId}`,
      observedAt: { type: 'instant', at: ev.eventTime },
      raw: { bytes: raw, mediaType: 'application/json', sensitive: false },
      sources: [{ type: 'file', path: file.rel, sha256: file.sha256, locator }],
    },
    content,
  );
}

async function emitActivity(file: FileInput, route: Route, agg: ActivityAggregator, emit: Emit): Promise<void> {
  await emit(
    collected(
      {
        collector: 'cloudtrail',
        kind: 'cloudtrail.activity',
        account: route.account,
        region: route.region,
        resource: file.rel.slice(Math.max(0, file.rel.indexOf('AWSLogs/'))),
        observedAt: dayWindow(route.day),
        // The raw payload is the log file as delivered (gzip): its SHA-256 is the file's, the hash CloudTrail's own
        // digest files sign, so an auditor can check it against them; and it is not hashed or deflated again.
        raw: { bytes: file.bytes, mediaType: 'application/gzip', sensitive: false },
        sources: [{ type: 'file', path: file.rel, sha256: file.sha256 }],
      },
      agg.result(),
    ),
  );
}

async function emitProblems(
  file: FileInput,
  where: Parameters<typeof errorObservation>[2],
  problems: readonly string[],
  records: number,
  emit: Emit,
): Promise<void> {
  if (problems.length === 0) return;
  const summary = `${problems.length} of ${records} records are malformed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`;
  await emit(
    errorObservation(
      'cloudtrail.event',
      'cloudtrail',
      where,
      file,
      new NormalizeError(file.rel, summary, 'MalformedRecords'),
    ),
  );
}
