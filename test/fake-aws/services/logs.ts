/**
 * CloudWatch Logs (awsJson1_1, `Logs_20140328.*`): the Bedrock invocation log group named by the region's logging
 * configuration (`cloudWatchConfig.logGroupName`), holding the records of the Bedrock invocation log files.
 */
import { timeMs } from '../smithy.js';
import { AwsError, type CallContext, type JsonHandler } from '../types.js';

type Rec = Record<string, unknown>;

function bedrockGroup(ctx: CallContext): string | null {
  const d = ctx.estate.cli(ctx.account, ctx.region, 'bedrock', 'get-model-invocation-logging-configuration')?.doc as
    { loggingConfig?: { cloudWatchConfig?: { logGroupName?: string } } } | undefined;
  return d?.loggingConfig?.cloudWatchConfig?.logGroupName ?? null;
}

function groupOf(ctx: CallContext, input: Rec): string {
  const id = (input['logGroupName'] as string | undefined) ?? (input['logGroupIdentifier'] as string | undefined) ?? '';
  const name = id.startsWith('arn:') ? id.replace(/^arn:[^:]+:logs:[^:]+:\d+:log-group:/, '').replace(/:\*$/, '') : id;
  if (name !== bedrockGroup(ctx))
    throw new AwsError('ResourceNotFoundException', 400, 'The specified log group does not exist.');
  return name;
}

export const logsHandlers: Record<string, JsonHandler> = {
  DescribeLogGroups(input, ctx) {
    const g = bedrockGroup(ctx);
    const prefix = (input['logGroupNamePrefix'] as string | undefined) ?? '';
    const groups =
      g && g.startsWith(prefix)
        ? [
            {
              logGroupName: g,
              arn: `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${g}:*`,
              creationTime: Date.UTC(2025, 0, 1),
              storedBytes: 0,
            },
          ]
        : [];
    return { logGroups: groups };
  },
  FilterLogEvents(input, ctx) {
    groupOf(ctx, input);
    if (input['filterPattern'])
      throw new AwsError('InvalidParameterException', 400, 'The fake AWS does not evaluate filter patterns');
    const start = typeof input['startTime'] === 'number' ? input['startTime'] : null;
    const end = typeof input['endTime'] === 'number' ? input['endTime'] : null;
    const streams = input['logStreamNames'] as string[] | undefined;
    const events: Rec[] = [];
    for (const { file, records } of ctx.estate.logRecords(
      `AWSLogs/${ctx.account}/BedrockModelInvocationLogs/${ctx.region}/`,
    )) {
      records.forEach((r, i) => {
        const t = timeMs((r as Rec)['timestamp']);
        if (t === null || (start !== null && t < start) || (end !== null && t >= end)) return;
        const stream = 'aws/bedrock/modelinvocations';
        if (streams && !streams.includes(stream)) return;
        events.push({
          logStreamName: stream,
          timestamp: t,
          message: JSON.stringify(r),
          ingestionTime: t + 1000,
          eventId: `${t}${String(i).padStart(6, '0')}${file.length}`,
        });
      });
    }
    events.sort((a, b) => (a['timestamp'] as number) - (b['timestamp'] as number));
    return { events, searchedLogStreams: [] };
  },
};
