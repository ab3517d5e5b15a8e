/**
 * CloudTrail log files (as delivered to S3) and the trail CLI outputs.
 */
import { seededStream } from './rng.js';
import {
  ACCOUNTS,
  BUCKETS,
  cliTime,
  COLLECTION_MS,
  compactMinute,
  dayMs,
  DAYS_IN_PERIOD,
  EU,
  KMS,
  kmsArn,
  MLDEV,
  MLDEV_US_MISSING_DAYS,
  PROD,
  REGIONS,
  US,
  ymd,
  ymdPath,
} from './common.js';
import { buildEvent, type CtSpec, type JsonObject } from './cloudtrail-event.js';
import { backgroundEvents } from './cloudtrail-background.js';
import { gzipDeterministic, type TreeWriter } from './io.js';

export interface CloudTrailSummary {
  readonly files: number;
  readonly events: number;
  /** `<acct>/<region>` → the days (YYYY-MM-DD) that have at least one log file. */
  readonly daysWithFiles: Record<string, string[]>;
}

export function isMissingDay(account: string, region: string, day: number): boolean {
  return account === MLDEV && region === US && (MLDEV_US_MISSING_DAYS as readonly number[]).includes(day);
}

export async function writeCloudTrailLogs(
  w: TreeWriter,
  seed: number,
  fixed: readonly CtSpec[],
): Promise<CloudTrailSummary> {
  const byKey = new Map<string, CtSpec[]>();
  for (const s of fixed) {
    const key = `${s.account}|${s.region}|${ymd(s.time)}`;
    const list = byKey.get(key) ?? [];
    list.push(s);
    byKey.set(key, list);
  }
  let files = 0;
  let events = 0;
  const daysWithFiles: Record<string, string[]> = {};
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const pair = `${account}/${region}`;
      daysWithFiles[pair] = [];
      for (let day = 1; day <= DAYS_IN_PERIOD; day++) {
        const start = dayMs(day);
        const key = `${account}|${region}|${ymd(start)}`;
        const planted = byKey.get(key) ?? [];
        if (isMissingDay(account, region, day)) {
          if (planted.length > 0) throw new Error(`planted events on a day without log files: ${key}`);
          continue;
        }
        const rng = seededStream(seed, `cloudtrail:${account}:${region}:${day}`);
        const specs = [...backgroundEvents(rng, account, region, start), ...planted];
        const records = specs.map((s) => buildEvent(s, rng));
        records.sort((a, b) => {
          const ta = String(a['eventTime']);
          const tb = String(b['eventTime']);
          if (ta !== tb) return ta < tb ? -1 : 1;
          return String(a['eventID']) < String(b['eventID']) ? -1 : 1;
        });
        for (const r of records) {
          const t = Date.parse(String(r['eventTime']));
          if (t >= start + (23 * 60 + 59) * 60_000)
            throw new Error(`event too late for its day file: ${String(r['eventTime'])}`);
        }
        // Cut the day into consecutive batches of a few dozen records; each batch becomes one file named after the
        // minute following its last record (never past 23:59, so the file stays in the day's folder).
        const k = Math.max(3, Math.min(9, Math.round(records.length / rng.int(22, 34))));
        let i = 0;
        for (let f = 0; f < k && i < records.length; f++) {
          const remaining = records.length - i;
          const left = k - f;
          const size =
            left === 1
              ? remaining
              : Math.max(
                  1,
                  Math.min(remaining - (left - 1), Math.round((remaining / left) * (0.6 + rng.next() * 0.8))),
                );
          const batch = records.slice(i, i + size);
          i += size;
          const lastTime = Date.parse(String(batch[batch.length - 1]?.['eventTime']));
          const end = Math.min(
            Math.floor(lastTime / 60_000) * 60_000 + rng.int(1, 6) * 60_000,
            start + (23 * 60 + 59) * 60_000,
          );
          const name = `${account}_CloudTrail_${region}_${compactMinute(end)}_${rng.alnum(16)}.json.gz`;
          const rel = `AWSLogs/${account}/CloudTrail/${region}/${ymdPath(start)}/${name}`;
          await w.write(rel, gzipDeterministic(JSON.stringify({ Records: batch })), end);
          files += 1;
          events += batch.length;
        }
        if (i !== records.length) throw new Error(`unassigned events on ${key}`);
        daysWithFiles[pair]?.push(ymd(start));
      }
    }
  }
  return { files, events, daysWithFiles };
}

// ---------------------------------------------------------------------------------------------------------------
// CLI outputs (written for the trail's home region, eu-west-1, only)

export const TRAILS = {
  prod: {
    name: 'org-audit-trail',
    arn: `arn:aws:cloudtrail:${EU}:${PROD}:trail/org-audit-trail`,
    logGroupArn: `arn:aws:logs:${EU}:${PROD}:log-group:aws-cloudtrail-logs-northwind:*`,
    kmsKeyId: kmsArn(PROD, EU, KMS.prodEu),
  },
  mldev: { name: 'dev-trail', arn: `arn:aws:cloudtrail:${EU}:${MLDEV}:trail/dev-trail` },
} as const;

export function trailCli(account: string): { name: string; value: JsonObject }[] {
  const latest = COLLECTION_MS - 4 * 60_000 - 17_000;
  if (account === PROD) {
    const t = TRAILS.prod;
    return [
      {
        name: 'describe-trails.json',
        value: {
          trailList: [
            {
              Name: t.name,
              S3BucketName: BUCKETS.prodTrail,
              IncludeGlobalServiceEvents: true,
              IsMultiRegionTrail: true,
              HomeRegion: EU,
              TrailARN: t.arn,
              LogFileValidationEnabled: true,
              CloudWatchLogsLogGroupArn: t.logGroupArn,
              CloudWatchLogsRoleArn: `arn:aws:iam::${PROD}:role/service-role/CloudTrailToCloudWatchLogs`,
              KmsKeyId: t.kmsKeyId,
              HasCustomEventSelectors: true,
              HasInsightSelectors: false,
              IsOrganizationTrail: false,
            },
          ],
        },
      },
      {
        name: `get-trail-status.${t.name}.json`,
        value: {
          IsLogging: true,
          LatestDeliveryTime: cliTime(latest),
          StartLoggingTime: cliTime(Date.UTC(2025, 2, 3, 9, 12, 44, 301)),
          LatestCloudWatchLogsDeliveryTime: cliTime(latest + 41_000),
          LatestDigestDeliveryTime: cliTime(Date.UTC(2026, 10, 1, 5, 31, 2, 118)),
          LatestDeliveryAttemptTime: '2026-11-01T05:55:43Z',
          LatestNotificationAttemptTime: '',
          LatestNotificationAttemptSucceeded: '',
          LatestDeliveryAttemptSucceeded: '2026-11-01T05:55:43Z',
          TimeLoggingStarted: '2025-03-03T09:12:44Z',
          TimeLoggingStopped: '',
        },
      },
      {
        name: `get-event-selectors.${t.name}.json`,
        value: {
          TrailARN: t.arn,
          AdvancedEventSelectors: [
            { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            {
              Name: 'S3 data events on the training-data bucket',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
                { Field: 'resources.ARN', StartsWith: [`arn:aws:s3:::${BUCKETS.mlData}/`] },
              ],
            },
          ],
        },
      },
    ];
  }
  const t = TRAILS.mldev;
  return [
    {
      name: 'describe-trails.json',
      value: {
        trailList: [
          {
            Name: t.name,
            S3BucketName: BUCKETS.devTrail,
            IncludeGlobalServiceEvents: true,
            IsMultiRegionTrail: false,
            HomeRegion: EU,
            TrailARN: t.arn,
            LogFileValidationEnabled: false,
            HasCustomEventSelectors: false,
            HasInsightSelectors: false,
            IsOrganizationTrail: false,
          },
        ],
      },
    },
    {
      name: `get-trail-status.${t.name}.json`,
      value: {
        IsLogging: true,
        LatestDeliveryTime: cliTime(latest - 61_000),
        StartLoggingTime: cliTime(Date.UTC(2025, 7, 19, 14, 2, 9, 774)),
        LatestDeliveryAttemptTime: '2026-11-01T05:54:42Z',
        LatestNotificationAttemptTime: '',
        LatestNotificationAttemptSucceeded: '',
        LatestDeliveryAttemptSucceeded: '2026-11-01T05:54:42Z',
        TimeLoggingStarted: '2025-08-19T14:02:09Z',
        TimeLoggingStopped: '',
      },
    },
    {
      name: `get-event-selectors.${t.name}.json`,
      value: {
        TrailARN: t.arn,
        EventSelectors: [
          { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
        ],
      },
    },
  ];
}
