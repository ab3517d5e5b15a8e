import type { CliContext } from './cli-common.js';
import { handleCliArtifact } from './cli-artifact.js';
import { handleCliBedrock } from './cli-bedrock.js';
import { handleCliCloudTrail } from './cli-cloudtrail.js';
import { handleCliConfig } from './cli-config.js';
import { handleCliSageMaker } from './cli-sagemaker.js';

export { handleClarify } from './clarify.js';

/** One handler per AWS CLI service directory. Explicit, so a reader sees every supported service here. */
export const CLI_HANDLERS: Record<string, (ctx: CliContext) => Promise<void>> = {
  cloudtrail: handleCliCloudTrail,
  configservice: handleCliConfig,
  bedrock: handleCliBedrock,
  sagemaker: handleCliSageMaker,
  artifact: handleCliArtifact,
};
