/** What a path in the export directory is, by its place in the layout (see docs/export-directory.md). */
export type Route =
  | { type: 'cloudtrail-log'; account: string; region: string; day: string }
  | { type: 'bedrock-log'; account: string; region: string; day: string }
  | { type: 'config-snapshot'; account: string; region: string; day: string }
  | { type: 'cli'; account: string; region: string; service: string; operation: string; qualifier: string | null; ext: 'json' | 'pdf' }
  | { type: 'clarify'; account: string; region: string; subject: string; file: 'analysis.json' | 'predictions.csv' | 'predictions.jsonl' | 'bias-config.json' };

const ACCT = '(\\d{12})';
const REGION = '([a-z]{2,}(?:-[a-z0-9]+)*-\\d+[a-z]?|global)';
const DATE = '(\\d{4})/(\\d{2})/(\\d{2})';

const CLOUDTRAIL = new RegExp(`^(?:.*/)?AWSLogs/(?:o-[a-z0-9]+/)?${ACCT}/CloudTrail/${REGION}/${DATE}/[^/]+\\.json\\.gz$`);
const BEDROCK = new RegExp(`^(?:.*/)?AWSLogs/${ACCT}/BedrockModelInvocationLogs/${REGION}/${DATE}/(?:\\d{2}/)?[^/]+\\.json\\.gz$`);
const CONFIG = new RegExp(`^(?:.*/)?AWSLogs/${ACCT}/Config/${REGION}/${DATE}/ConfigSnapshot/[^/]+\\.json\\.gz$`);
const CLI = new RegExp(`^cli/${ACCT}/${REGION}/([a-z0-9-]+)/([a-z0-9-]+)(?:\\.([^/]+?))?\\.(json|pdf)$`);
const CLARIFY = new RegExp(`^clarify/${ACCT}/${REGION}/([A-Za-z0-9._-]+)/(analysis\\.json|predictions\\.csv|predictions\\.jsonl|bias-config\\.json)$`);

export function routeOf(rel: string): Route | null {
  let m = CLOUDTRAIL.exec(rel);
  if (m) return { type: 'cloudtrail-log', account: m[1]!, region: m[2]!, day: `${m[3]}-${m[4]}-${m[5]}` };
  m = BEDROCK.exec(rel);
  if (m) return { type: 'bedrock-log', account: m[1]!, region: m[2]!, day: `${m[3]}-${m[4]}-${m[5]}` };
  m = CONFIG.exec(rel);
  if (m) return { type: 'config-snapshot', account: m[1]!, region: m[2]!, day: `${m[3]}-${m[4]}-${m[5]}` };
  m = CLI.exec(rel);
  if (m) {
    return { type: 'cli', account: m[1]!, region: m[2]!, service: m[3]!, operation: m[4]!, qualifier: m[5] ?? null, ext: m[6] as 'json' | 'pdf' };
  }
  m = CLARIFY.exec(rel);
  if (m) return { type: 'clarify', account: m[1]!, region: m[2]!, subject: m[3]!, file: m[4] as 'analysis.json' };
  return null;
}

/** `cli/<acct>/<region>/<service>` directories: each is one collector run for that account and region. */
const CLI_DIR = new RegExp(`^cli/${ACCT}/${REGION}/([a-z0-9-]+)$`);
export function cliDirOf(rel: string): { account: string; region: string; service: string } | null {
  const m = CLI_DIR.exec(rel);
  return m ? { account: m[1]!, region: m[2]!, service: m[3]! } : null;
}

/** The collector that owns an AWS CLI service name. */
export const SERVICE_COLLECTOR: Record<string, string> = {
  cloudtrail: 'cloudtrail',
  configservice: 'config',
  bedrock: 'bedrock',
  sagemaker: 'sagemaker',
  artifact: 'artifact',
};
