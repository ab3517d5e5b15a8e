import { artifactCollector } from './artifact.js';
import { bedrockCollector } from './bedrock.js';
import { cloudtrailCollector } from './cloudtrail.js';
import { configCollector } from './config.js';
import { sagemakerCollector } from './sagemaker.js';
import type { LiveCollector } from './types.js';

/** Every live collector, in run order. Explicit: adding one is a line here and a file beside it. */
export const LIVE_COLLECTORS: readonly LiveCollector[] = [cloudtrailCollector, configCollector, bedrockCollector, sagemakerCollector, artifactCollector];

export function selectCollectors(ids: readonly string[] | undefined): LiveCollector[] {
  if (!ids || ids.length === 0) return [...LIVE_COLLECTORS];
  const unknown = ids.filter((id) => !LIVE_COLLECTORS.some((c) => c.id === id));
  if (unknown.length) throw new Error(`unknown collector(s) ${unknown.join(', ')} (known: ${LIVE_COLLECTORS.map((c) => c.id).join(', ')})`);
  return LIVE_COLLECTORS.filter((c) => ids.includes(c.id));
}
