/** CloudTrail (awsJson1_1, `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.*`), from `cli/<acct>/<region>/cloudtrail/` and the log files. */
import { timeMs } from '../smithy.js';
import { AwsError, type CallContext, type JsonHandler } from '../types.js';

type Rec = Record<string, unknown>;
const SVC = 'cloudtrail';

function homed(ctx: CallContext, region: string): Rec[] {
  return (
    (ctx.estate.cli(ctx.account, region, SVC, 'describe-trails')?.doc as { trailList?: Rec[] } | undefined)
      ?.trailList ?? []
  );
}

/**
 * The trails DescribeTrails lists in this region: those of its own `describe-trails.json`, plus (as AWS does with
 * `includeShadowTrails`, the default) the multi-region trails homed in the account's other regions.
 */
function trails(ctx: CallContext, shadows = true): Rec[] {
  const own = homed(ctx, ctx.region);
  if (!shadows) return own;
  const others = ctx.estate
    .regions(ctx.account)
    .filter((r) => r !== ctx.region)
    .flatMap((r) =>
      homed(ctx, r).filter(
        (t) => t['IsMultiRegionTrail'] === true && !own.some((o) => o['TrailARN'] === t['TrailARN']),
      ),
    );
  return [...own, ...others];
}

/** The CLI output of a per-trail operation, from the trail's home region. */
function perTrail(ctx: CallContext, op: string, t: Rec): unknown {
  const home = (t['HomeRegion'] as string | undefined) ?? ctx.region;
  return ctx.estate.cli(ctx.account, home, SVC, `${op}.${String(t['Name'])}`)?.doc;
}

/** A trail name from a name or a trail ARN. */
function trailName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}

/** A trail by name (homed here) or ARN (a shadow trail needs its ARN, as in AWS). */
function known(ctx: CallContext, nameOrArn: string): Rec {
  const name = trailName(nameOrArn);
  const t = nameOrArn.startsWith('arn:')
    ? trails(ctx).find((x) => x['TrailARN'] === nameOrArn)
    : trails(ctx, false).find((x) => x['Name'] === name);
  if (!t) throw new AwsError('TrailNotFoundException', 400, `Unknown trail: ${nameOrArn} for the user: ${ctx.account}`);
  return t;
}

export const cloudtrailHandlers: Record<string, JsonHandler> = {
  DescribeTrails(input, ctx) {
    const only = input['trailNameList'] as string[] | undefined;
    const list = trails(ctx, input['includeShadowTrails'] !== false);
    return {
      trailList:
        only && only.length
          ? list.filter((t) => only.some((n) => t['Name'] === trailName(n) || t['TrailARN'] === n))
          : list,
    };
  },
  ListTrails(_input, ctx) {
    return {
      Trails: trails(ctx).map((t) => ({ TrailARN: t['TrailARN'], Name: t['Name'], HomeRegion: t['HomeRegion'] })),
    };
  },
  GetTrail(input, ctx) {
    return { Trail: known(ctx, input['Name'] as string) };
  },
  GetTrailStatus(input, ctx) {
    const t = known(ctx, input['Name'] as string);
    const status = perTrail(ctx, 'get-trail-status', t);
    if (!status)
      throw new AwsError(
        'TrailNotFoundException',
        400,
        `Unknown trail: ${String(input['Name'])} for the user: ${ctx.account}`,
      );
    return status;
  },
  GetEventSelectors(input, ctx) {
    const t = known(ctx, input['TrailName'] as string);
    return (
      perTrail(ctx, 'get-event-selectors', t) ?? {
        TrailARN: t['TrailARN'],
        EventSelectors: [
          { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
        ],
      }
    );
  },
  GetInsightSelectors(input, ctx) {
    const t = known(ctx, (input['TrailName'] as string | undefined) ?? '');
    throw new AwsError('InsightNotEnabledException', 400, `Trail ${String(t['Name'])} does not have Insights enabled.`);
  },
  /** Management events of the account/region from its log files, newest first, as LookupEvents returns them. */
  LookupEvents(input, ctx) {
    const start = input['StartTime'] !== undefined ? timeMs(input['StartTime']) : null;
    const end = input['EndTime'] !== undefined ? timeMs(input['EndTime']) : null;
    const attrs = (input['LookupAttributes'] as { AttributeKey: string; AttributeValue: string }[] | undefined) ?? [];
    const events: Rec[] = [];
    for (const { records } of ctx.estate.logRecords(`AWSLogs/${ctx.account}/CloudTrail/${ctx.region}/`)) {
      for (const r of records as Rec[]) {
        if (r['eventCategory'] !== undefined && r['eventCategory'] !== 'Management') continue;
        const t = timeMs(r['eventTime']);
        if (t === null || (start !== null && t < start) || (end !== null && t > end)) continue;
        const ev = lookupEvent(r);
        if (!attrs.every((a) => matches(ev, r, a.AttributeKey, a.AttributeValue))) continue;
        events.push(ev);
      }
    }
    events.sort(
      (a, b) =>
        timeMs(b['EventTime'])! - timeMs(a['EventTime'])! || (String(a['EventId']) < String(b['EventId']) ? -1 : 1),
    );
    return { Events: events };
  },
};

function lookupEvent(r: Rec): Rec {
  const ui = (r['userIdentity'] ?? {}) as Rec;
  const username =
    (ui['userName'] as string | undefined) ??
    ((ui['sessionContext'] as Rec | undefined)?.['sessionIssuer'] as Rec | undefined)?.['userName'] ??
    (typeof ui['arn'] === 'string' ? ui['arn'].split('/').pop() : undefined);
  const resources = ((r['resources'] as Rec[] | undefined) ?? []).map((x) => ({
    ResourceType: x['type'],
    ResourceName: x['ARN'] ?? x['arn'],
  }));
  return {
    EventId: r['eventID'],
    EventName: r['eventName'],
    ReadOnly: r['readOnly'] === true || r['readOnly'] === 'true' ? 'true' : 'false',
    AccessKeyId: ui['accessKeyId'],
    EventTime: r['eventTime'],
    EventSource: r['eventSource'],
    Username: username,
    Resources: resources,
    CloudTrailEvent: JSON.stringify(r),
  };
}

function matches(ev: Rec, r: Rec, key: string, value: string): boolean {
  switch (key) {
    case 'EventId':
      return ev['EventId'] === value;
    case 'EventName':
      return ev['EventName'] === value;
    case 'ReadOnly':
      return ev['ReadOnly'] === value;
    case 'Username':
      return ev['Username'] === value;
    case 'EventSource':
      return ev['EventSource'] === value;
    case 'AccessKeyId':
      return ev['AccessKeyId'] === value;
    case 'ResourceType':
      return ((r['resources'] as Rec[] | undefined) ?? []).some((x) => x['type'] === value);
    case 'ResourceName':
      return ((r['resources'] as Rec[] | undefined) ?? []).some((x) => x['ARN'] === value);
    default:
      throw new AwsError('InvalidLookupAttributesException', 400, `Unsupported lookup attribute ${key}`);
  }
}
