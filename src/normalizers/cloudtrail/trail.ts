import type { ContentOf } from '../../evidence/content.js';
import { collected, type Observation } from '../../evidence/observation.js';
import { toIsoInstant } from '../../util/time.js';
import { asArray, asRecord, field, optBool, optString, requireString, type NormalizeMeta } from '../types.js';

type TrailContent = ContentOf<'cloudtrail.trail'>;

/**
 * Joins DescribeTrails with GetTrailStatus and GetEventSelectors (keyed by trail name or ARN). Only trails whose
 * home region is the region asked are emitted: DescribeTrails lists multi-region trails in every region as
 * shadows, and an item per shadow would count one trail many times.
 */
export function normalizeTrails(
  describeTrails: unknown,
  statusByTrail: ReadonlyMap<string, unknown>,
  selectorsByTrail: ReadonlyMap<string, unknown>,
  meta: NormalizeMeta,
): Observation<'cloudtrail.trail'>[] {
  const input = inputName(meta);
  const list = asArray(asRecord(describeTrails, input, 'DescribeTrails output')['trailList'] ?? [], input, 'trailList');
  const out: Observation<'cloudtrail.trail'>[] = [];
  list.forEach((t, i) => {
    const trail = asRecord(t, input, `trailList[${i}]`);
    const name = requireString(trail, 'Name', input, `trailList[${i}]`);
    const arn = optString(trail, 'TrailARN');
    const homeRegion = optString(trail, 'HomeRegion');
    if (homeRegion && homeRegion !== meta.region) return;
    const status = statusByTrail.get(name) ?? (arn ? statusByTrail.get(arn) : undefined);
    const selectors = selectorsByTrail.get(name) ?? (arn ? selectorsByTrail.get(arn) : undefined);
    const content: TrailContent = {
      name,
      arn: arn ?? undefined,
      homeRegion: homeRegion ?? undefined,
      isMultiRegion: optBool(trail, 'IsMultiRegionTrail') ?? undefined,
      isOrganizationTrail: optBool(trail, 'IsOrganizationTrail') ?? undefined,
      logFileValidationEnabled: optBool(trail, 'LogFileValidationEnabled') ?? undefined,
      kmsKeyId: optString(trail, 'KmsKeyId'),
      s3BucketName: optString(trail, 'S3BucketName') ?? undefined,
      cloudWatchLogsLogGroupArn: optString(trail, 'CloudWatchLogsLogGroupArn'),
      ...statusFields(status, input),
      ...selectorFields(selectors),
    };
    out.push(
      collected(
        {
          collector: 'cloudtrail',
          kind: 'cloudtrail.trail',
          account: meta.account,
          region: meta.region,
          resource: arn ?? `trail/${name}`,
          observedAt: { type: 'instant', at: meta.observedAt },
          raw: meta.raw,
          sources: meta.sources,
        },
        content,
      ),
    );
  });
  return out;
}

function statusFields(status: unknown, input: string): Partial<TrailContent> {
  if (status === undefined) return {};
  const s = asRecord(status, input, 'GetTrailStatus output');
  const delivery = s['LatestDeliveryTime'];
  return {
    isLogging: optBool(s, 'IsLogging') ?? undefined,
    latestDeliveryTime: delivery === undefined || delivery === null ? null : toIsoInstant(delivery),
    latestDeliveryError: optString(s, 'LatestDeliveryError'),
  };
}

function selectorFields(selectors: unknown): Partial<TrailContent> {
  if (selectors === undefined || selectors === null || typeof selectors !== 'object') return {};
  const basic = (field(selectors, 'EventSelectors') as unknown[] | undefined) ?? [];
  const advanced = (field(selectors, 'AdvancedEventSelectors') as unknown[] | undefined) ?? [];
  const dataTypes = new Set<string>();
  let management: TrailContent['managementEvents'] = 'none';
  for (const sel of basic) {
    if (field(sel, 'IncludeManagementEvents') !== false) {
      const rw = field(sel, 'ReadWriteType');
      management = rw === 'ReadOnly' ? 'read' : rw === 'WriteOnly' ? 'write' : 'all';
    }
    for (const dr of (field(sel, 'DataResources') as unknown[] | undefined) ?? []) {
      const type = field(dr, 'Type');
      if (typeof type === 'string') dataTypes.add(type);
    }
  }
  for (const sel of advanced) {
    const fields = (field(sel, 'FieldSelectors') as unknown[] | undefined) ?? [];
    const equalsOf = (name: string): string[] =>
      fields.filter((f) => field(f, 'Field') === name).flatMap((f) => (field(f, 'Equals') as string[] | undefined) ?? []);
    if (equalsOf('eventCategory').includes('Management')) management = 'all';
    if (equalsOf('eventCategory').includes('Data')) for (const t of equalsOf('resources.type')) dataTypes.add(t);
  }
  return {
    managementEvents: management,
    dataEvents: {
      s3: dataTypes.has('AWS::S3::Object'),
      lambda: dataTypes.has('AWS::Lambda::Function'),
      other: [...dataTypes].filter((t) => t !== 'AWS::S3::Object' && t !== 'AWS::Lambda::Function').sort(),
    },
  };
}

export function inputName(meta: NormalizeMeta): string {
  const s = meta.sources[0];
  if (!s) return 'unknown input';
  return s.type === 'file' ? s.path : s.operation;
}
