import type { EvidenceStore } from '../evidence/store.js';
import type { CallerIdentity } from '../evidence/model.js';

/** Progress events from a stage; entry points turn them into bars (TTY) or plain lines (CI). */
export interface StageProgress {
  readonly stage: StageName;
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

export type StageName = 'collect' | 'assess' | 'render' | 'bundle' | 'deliver';

/**
 * Everything a stage handler needs, passed in. No module-level singletons: the in-process runner and (later)
 * queue workers build a context each and call the same handlers.
 */
export interface PipelineContext {
  readonly store: EvidenceStore;
  readonly now: () => Date;
  readonly generator: { readonly name: string; readonly version: string };
  readonly callerIdentity: CallerIdentity | null;
  readonly frameworksDir: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: StageProgress) => void;
}
