import { collected } from '../../../evidence/observation.js';
import { InvocationAggregator } from '../../../normalizers/bedrock-invocations.js';
import { dayWindow } from '../../../normalizers/cloudtrail/activity.js';
import { NormalizeError } from '../../../normalizers/types.js';
import { errorObservation, type Emit } from '../emit.js';
import { gunzipInput, jsonLines, parseJson, type FileInput, type ReadLimits } from '../read.js';

const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * One Bedrock invocation-log file (JSON Lines) → one `bedrock.invocation_summary`. The raw file is kept in the
 * store as a sensitive blob: it holds prompts with personal data, so only its hash ever leaves the store.
 */
export async function handleBedrockLog(
  file: FileInput,
  route: { account: string; region: string; day: string },
  limits: ReadLimits,
  emit: Emit,
): Promise<void> {
  const where = { account: route.account, region: route.region, observedAt: dayWindow(route.day) };
  let inflated: Buffer;
  try {
    inflated = gunzipInput(file, limits);
  } catch (err) {
    await emit(errorObservation('bedrock.invocation_summary', 'bedrock', where, file, err));
    return;
  }
  const agg = new InvocationAggregator(route.day);
  const problems: string[] = [];
  let lines = 0;
  for (const entry of jsonLines(inflated, MAX_RECORD_BYTES)) {
    lines += 1;
    if ('problem' in entry) {
      problems.push(entry.problem);
      continue;
    }
    try {
      agg.add(parseJson(entry.text, `${file.rel} line ${entry.line}`, limits), `${file.rel} line ${entry.line}`);
    } catch (err) {
      if (!(err instanceof NormalizeError)) throw err;
      problems.push(`line ${entry.line}: ${err.problem}`);
    }
  }
  if (agg.count > 0 || problems.length === 0) {
    await emit(
      collected(
        {
          collector: 'bedrock',
          kind: 'bedrock.invocation_summary',
          account: route.account,
          region: route.region,
          resource: file.rel.slice(Math.max(0, file.rel.indexOf('AWSLogs/'))),
          observedAt: where.observedAt,
          raw: { bytes: inflated, mediaType: 'application/x-ndjson', sensitive: true },
          sources: [{ type: 'file', path: file.rel, sha256: file.sha256 }],
        },
        agg.result(),
      ),
    );
  }
  if (problems.length > 0) {
    const summary = `${problems.length} of ${lines} lines are malformed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`;
    await emit(errorObservation('bedrock.invocation_summary', 'bedrock', where, file, new NormalizeError(file.rel, summary, 'MalformedRecords')));
  }
}
