import { collectorDeclaration } from '../../collectors/catalog.js';
import type { EvidenceKind } from '../../evidence/kinds.js';
import { collected, type AnyObservation } from '../../evidence/observation.js';
import { writeObservation, writeObservations, type WriteContext } from '../../evidence/writer.js';
import { NormalizeError } from '../../normalizers/types.js';
import { errorObservation, type Emit } from './emit.js';
import { handleBedrockLog } from './handlers/bedrock-log.js';
import { CLI_HANDLERS, handleClarify } from './handlers/registry.js';
import { handleCloudTrailLog } from './handlers/cloudtrail-log.js';
import { handleConfigSnapshot } from './handlers/config-snapshot.js';
import { DEFAULT_LIMITS, readInput, type FileInput, type ReadLimits } from './read.js';
import { SERVICE_COLLECTOR, cliDirOf, routeOf, type Route } from './routes.js';
import { walkExportDir, type WalkResult } from './walk.js';
import { sha256Hex as sha256 } from '../../util/canonical-json.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface CollectorTally {
  collected: number;
  notApplicable: number;
  errors: number;
  /** Items written by this run (the rest were already in the store: idempotent re-collection). */
  newItems: number;
}

export interface ExportDirSummary {
  readonly root: string;
  readonly files: number;
  readonly byCollector: Record<string, CollectorTally>;
  /** Files that match no known layout: listed, not read. */
  readonly skipped: string[];
  /** Entries refused for safety (symlinks, special files). */
  readonly refused: { path: string; reason: string }[];
  /** One line per error item, naming the input and the problem. */
  readonly errors: string[];
}

export interface ExportDirProgress {
  readonly done: number;
  readonly total: number;
  readonly path: string;
}

export interface ExportDirOptions {
  readonly limits?: ReadLimits;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExportDirProgress) => void;
  /**
   * Only the entries whose relative path starts with one of these (e.g. one account/region/day of CloudTrail logs):
   * a part of the directory, so that several workers or jobs can share one directory without reading a file twice.
   * Absent: the whole directory.
   */
  readonly prefixes?: readonly string[];
}

/**
 * Reads an export directory (see docs/export-directory.md) into the evidence store. Every file is read on its
 * own: a bad file becomes an error item and the rest go on. Re-running on the same directory stores nothing new.
 */
export async function collectExportDir(
  ctx: WriteContext,
  root: string,
  options: ExportDirOptions = {},
): Promise<ExportDirSummary> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const walked = within(await walkExportDir(root, options.prefixes), options.prefixes);
  const summary: ExportDirSummary = {
    root,
    files: walked.files.length,
    byCollector: {},
    skipped: [],
    refused: walked.refused,
    errors: [],
  };

  const count = (obs: AnyObservation): CollectorTally => {
    const tally = (summary.byCollector[obs.collector] ??= { collected: 0, notApplicable: 0, errors: 0, newItems: 0 });
    if (obs.status.state === 'collected') tally.collected += 1;
    else if (obs.status.state === 'not_applicable') tally.notApplicable += 1;
    else {
      tally.errors += 1;
      summary.errors.push(obs.status.message);
    }
    return tally;
  };
  const emit: Emit = async (obs) => {
    const tally = count(obs);
    const { stored } = await writeObservation(ctx, obs);
    if (stored) tally.newItems += 1;
  };
  emit.many = async (list) => {
    const tallies = list.map(count);
    const outcomes = await writeObservations(ctx, list);
    outcomes.forEach((o, i) => {
      if (o.stored) tallies[i]!.newItems += 1;
    });
  };

  for (const r of walked.refused) {
    const route = routeOf(r.path);
    if (route) await emit(refusedObservation(route, r.path, r.reason, await entryTime(root, r.path, ctx.now())));
  }

  const cliDirs = new Map<
    string,
    { account: string; region: string; service: string; files: Map<string, FileInput> }
  >();
  for (const d of walked.dirs) {
    const cli = cliDirOf(d);
    if (cli && SERVICE_COLLECTOR[cli.service]) cliDirs.set(d, { ...cli, files: new Map() });
  }
  const clarify = new Map<string, { route: Extract<Route, { type: 'clarify' }>; file: FileInput }[]>();

  // CloudTrail log files are handled two at a time: one is scanned while the other waits for its store writes.
  const logs = new InFlight(2);
  let done = 0;
  try {
    for (const rel of walked.files) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done, total: walked.files.length, path: rel });
      done += 1;
      const route = routeOf(rel);
      if (!route || (route.type === 'cli' && !SERVICE_COLLECTOR[route.service])) {
        summary.skipped.push(rel);
        continue;
      }
      let file: FileInput;
      try {
        file = await readInput(root, rel, limits);
      } catch (err) {
        const at = await entryTime(root, rel, ctx.now());
        await emit(
          errorObservation(kindForRoute(route), collectorForRoute(route), whereForRoute(route, at), { rel }, err),
        );
        continue;
      }
      switch (route.type) {
        case 'cloudtrail-log':
          await logs.add(handleCloudTrailLog(file, route, limits, emit));
          break;
        case 'bedrock-log':
          await handleBedrockLog(file, route, limits, emit);
          break;
        case 'config-snapshot':
          await handleConfigSnapshot(file, route, limits, emit);
          break;
        case 'cli': {
          const dir = cliDirs.get(rel.slice(0, rel.lastIndexOf('/')));
          dir?.files.set(
            rel.slice(rel.lastIndexOf('/') + 1).replace(/\.(json|pdf)$/, '') + (route.ext === 'pdf' ? '#pdf' : ''),
            file,
          );
          break;
        }
        case 'clarify': {
          const key = `${route.account}/${route.region}/${route.subject}`;
          clarify.set(key, [...(clarify.get(key) ?? []), { route, file }]);
          break;
        }
      }
    }
    await logs.drain();
  } finally {
    await logs.settle();
  }
  options.onProgress?.({ done, total: walked.files.length, path: '' });

  for (const [rel, dir] of [...cliDirs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    options.signal?.throwIfAborted();
    const collector = SERVICE_COLLECTOR[dir.service]!;
    const counts = new Map<string, number>();
    const counting: Emit = async (obs) => {
      if (obs.status.state === 'collected') counts.set(obs.kind, (counts.get(obs.kind) ?? 0) + 1);
      await emit(obs);
    };
    const handler = CLI_HANDLERS[dir.service];
    if (handler)
      await handler({ dir: { account: dir.account, region: dir.region, files: dir.files }, limits, emit: counting });
    const decl = collectorDeclaration(collector);
    if (decl && decl.kinds.includes('inventory')) {
      const inventory: Record<string, number> = {};
      for (const k of decl.kinds)
        if (k !== 'inventory' && k !== 'clarify.bias_report') inventory[k] = counts.get(k) ?? 0;
      // Observed when the newest file was written; an empty directory, when the directory itself was.
      const newest =
        [...dir.files.values()]
          .map((f) => f.mtime)
          .sort()
          .pop() ?? (await entryTime(root, rel, ctx.now())).toISOString();
      await emit(
        collected(
          {
            collector,
            kind: 'inventory',
            account: dir.account,
            region: dir.region,
            resource: `${collector}/${dir.account}/${dir.region}`,
            observedAt: { type: 'instant', at: newest },
            raw: null,
            sources: [{ type: 'file', path: rel, sha256: directoryDigest(dir.files) }],
          },
          { collector, counts: inventory },
        ),
      );
    }
  }

  for (const entries of clarify.values()) await handleClarify(entries, limits, emit);
  // Error lines in one order whatever the interleaving of the files handled at once.
  summary.errors.sort();
  return summary;
}

/** At most `limit` promises pending; the first failure is rethrown by the next `add` or by `drain`. */
class InFlight {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  async add(work: Promise<void>): Promise<void> {
    const p: Promise<void> = work.then(
      () => void this.pending.delete(p),
      (error: unknown) => {
        this.failure ??= { error };
        this.pending.delete(p);
      },
    );
    this.pending.add(p);
    if (this.pending.size >= this.limit) await Promise.race(this.pending);
    if (this.failure) throw this.failure.error;
  }

  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for everything pending (nothing is left writing after the caller returns or throws). */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }
}

/** The part of a walk under `prefixes` (a directory is inside when its path with a trailing slash is). */
function within(walked: WalkResult, prefixes: readonly string[] | undefined): WalkResult {
  if (!prefixes) return walked;
  const inside = (rel: string): boolean => prefixes.some((p) => rel.startsWith(p));
  return {
    files: walked.files.filter(inside),
    dirs: walked.dirs.filter((d) => inside(`${d}/`)),
    refused: walked.refused.filter((r) => inside(r.path)),
  };
}

/** A digest of a directory listing (names and file hashes), standing in for a file hash in provenance. */
function directoryDigest(files: ReadonlyMap<string, FileInput>): string {
  const lines = [...files.values()].map((f) => `${f.sha256}  ${f.rel}`).sort();
  return sha256(lines.join('\n'));
}

function collectorForRoute(route: Route): string {
  switch (route.type) {
    case 'cloudtrail-log':
      return 'cloudtrail';
    case 'bedrock-log':
      return 'bedrock';
    case 'config-snapshot':
      return 'config';
    case 'clarify':
      return 'sagemaker';
    case 'cli':
      return SERVICE_COLLECTOR[route.service] ?? route.service;
  }
}

function kindForRoute(route: Route): EvidenceKind {
  switch (route.type) {
    case 'cloudtrail-log':
      return 'cloudtrail.activity';
    case 'bedrock-log':
      return 'bedrock.invocation_summary';
    case 'config-snapshot':
      return 'config.configuration_item';
    case 'clarify':
      return 'clarify.bias_report';
    case 'cli':
      return route.service === 'artifact' ? 'artifact.report' : 'inventory';
  }
}

/** The entry's own mtime (lstat: links are not followed), so an error item is the same on every re-run. */
async function entryTime(root: string, rel: string, fallback: Date): Promise<Date> {
  try {
    return (await fs.lstat(path.join(root, rel))).mtime;
  } catch {
    return fallback;
  }
}

function whereForRoute(route: Route, now: Date) {
  if ('day' in route) {
    const start = new Date(`${route.day}T00:00:00.000Z`);
    return {
      account: route.account,
      region: route.region,
      observedAt: {
        type: 'window' as const,
        start: start.toISOString(),
        end: new Date(start.getTime() + 86_400_000).toISOString(),
      },
    };
  }
  return {
    account: route.account,
    region: route.region,
    observedAt: { type: 'instant' as const, at: now.toISOString() },
  };
}

function refusedObservation(route: Route, rel: string, reason: string, now: Date): AnyObservation {
  return errorObservation(
    kindForRoute(route),
    collectorForRoute(route),
    whereForRoute(route, now),
    { rel },
    new NormalizeError(rel, reason, 'UnsafePath'),
  );
}
