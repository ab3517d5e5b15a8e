import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import type { PackJobResult } from '../queue/types.js';

export interface OpenedBundle {
  readonly stream: Readable;
  readonly size: number;
  readonly sha256: string;
}

/** Where the API reads finished bundles from (the workers' output directory, shared storage, S3 ...). */
export interface BundleSource {
  /** Null when the bundle the run recorded is not there (any more). */
  open(runId: string, bundle: NonNullable<PackJobResult['bundle']>): Promise<OpenedBundle | null>;
}

/** Bundles on a filesystem the API shares with the workers: streamed from the path the pack job recorded. */
export const localBundles: BundleSource = {
  async open(_runId, bundle) {
    let size: number;
    try {
      const st = await fs.stat(bundle.path);
      if (!st.isFile()) return null;
      size = st.size;
    } catch {
      return null;
    }
    if (size !== bundle.size) return null;
    return { stream: createReadStream(bundle.path), size, sha256: bundle.sha256 };
  },
};
