/**
 * How the planner splits one export directory into coarse collect jobs: CloudTrail logs by account/region/day
 * folder (`AWSLogs/[o-…/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>`), grouped so that each job reads at least
 * `minBytes` of logs and a directory makes at most `maxJobs` of them, plus one job for everything else (the CLI
 * outputs, Config snapshots, Bedrock logs, Clarify reports ...). Each job names its part of the directory by
 * relative path prefixes, which `collectExportDir({ prefixes })` reads; together the parts cover every entry the
 * directory walk sees exactly once, so the store ends up with the same items as one job over the whole directory.
 *
 * The split is a snapshot taken when the pack is planned (a directory walk plus a stat per CloudTrail log file on
 * the planning host). Whenever it cannot be made safely, the directory stays one job (`all`), read as a whole by
 * the worker: the planner cannot read it (a producer on another host), it is small, or the prefixes would be
 * ambiguous or too many for a thin payload.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { routeOf } from '../sources/export-dir/routes.js';
import { walkExportDir, type WalkResult } from '../sources/export-dir/walk.js';
import { sha256Hex } from '../util/canonical-json.js';

export interface ExportSplitOptions {
  /** Collect jobs per directory for its CloudTrail logs, at most (the rest of the directory is one more). */
  readonly maxJobs?: number;
  /** Bytes of (gzipped) CloudTrail logs a job reads at least: smaller days are grouped with their neighbours. */
  readonly minBytes?: number;
}

/**
 * At most 256 CloudTrail jobs per directory, each reading at least 8 MiB of gzipped logs (some 50,000-100,000
 * events: several seconds of work, against a few Redis round trips and one directory walk per job). A directory
 * with less than twice that stays one job; past 256 folders' worth, neighbouring days are grouped.
 */
export const DEFAULT_EXPORT_SPLIT: Required<ExportSplitOptions> = { maxJobs: 256, minBytes: 8 * 1024 * 1024 };

/** `maxJobs` is capped at this (the pack payload allows 100,000 children in all). */
export const MAX_JOBS_PER_DIRECTORY = 2048;

/** Payload bounds (checked again by the worker, see payloads.ts). */
export const MAX_PREFIXES_PER_JOB = 512;
export const MAX_PREFIX_LENGTH = 1024;

/** One collect job's part of an export directory. `prefixes` null: the whole directory. */
export interface ExportDirPart {
  /** A job id part: `all`, `ct-<account>-<region>-<yyyymmdd>-n<days>-<digest>` or `rest-<digest>`. */
  readonly part: string;
  readonly prefixes: readonly string[] | null;
}

export const WHOLE_DIRECTORY: readonly ExportDirPart[] = [{ part: 'all', prefixes: null }];

interface Node {
  readonly path: string;
  readonly name: string;
  readonly dir: boolean;
  readonly children: Node[];
}

const REST = -1;
const MIXED = -2;

/** The parts of an export directory; one part (`all`) whenever it is not worth or not safe to split. */
export async function splitExportDir(
  root: string,
  options: ExportSplitOptions = {},
): Promise<readonly ExportDirPart[]> {
  const maxJobs = Math.min(
    MAX_JOBS_PER_DIRECTORY,
    Math.max(1, Math.floor(options.maxJobs ?? DEFAULT_EXPORT_SPLIT.maxJobs)),
  );
  const minBytes = Math.max(0, options.minBytes ?? DEFAULT_EXPORT_SPLIT.minBytes);
  if (maxJobs < 2) return WHOLE_DIRECTORY;
  let walked: WalkResult;
  try {
    walked = await walkExportDir(root);
  } catch {
    return WHOLE_DIRECTORY; // not readable here: the worker reads it whole (and reports what is wrong with it)
  }

  // The day folders: where CloudTrail log files are (never under cli/, whose service directories are read as a
  // whole; never inside another day folder, which takes its subtree with it).
  const dayFiles = new Map<string, { label: string; files: string[] }>();
  for (const rel of walked.files) {
    const route = routeOf(rel);
    if (route?.type !== 'cloudtrail-log' || rel.startsWith('cli/')) continue;
    const day = rel.slice(0, rel.lastIndexOf('/'));
    const entry = dayFiles.get(day) ?? {
      label: `${route.account}-${route.region}-${route.day.replace(/-/g, '')}`,
      files: [],
    };
    entry.files.push(rel);
    dayFiles.set(day, entry);
  }
  const days = [...dayFiles.keys()]
    .filter((d) => !ancestors(d).some((a) => dayFiles.has(a)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (days.length < 2) return WHOLE_DIRECTORY;

  // Bytes per day folder, then contiguous groups of at least `target` bytes (the last one may be merged back).
  const bytes = await Promise.all(days.map((d) => sizeOf(root, dayFiles.get(d)!.files)));
  const total = bytes.reduce((a, b) => a + b, 0);
  // Up to maxJobs folders: one job each (when big enough); past that, groups of about total/maxJobs bytes.
  const target = days.length <= maxJobs ? minBytes : Math.max(minBytes, total / maxJobs);
  const groups: number[][] = [];
  let current: number[] = [];
  let acc = 0;
  days.forEach((_, i) => {
    current.push(i);
    acc += bytes[i]!;
    if (acc >= target) {
      groups.push(current);
      current = [];
      acc = 0;
    }
  });
  if (current.length) {
    if (groups.length && acc < minBytes) groups[groups.length - 1]!.push(...current);
    else groups.push(current);
  }
  while (groups.length > maxJobs) {
    const last = groups.pop()!;
    groups[groups.length - 1]!.push(...last);
  }
  if (groups.length < 2) return WHOLE_DIRECTORY;
  const groupOfDay = new Map<string, number>();
  groups.forEach((g, k) => g.forEach((i) => groupOfDay.set(days[i]!, k)));

  // The tree of everything the walk saw; each subtree owned by one part becomes one prefix of that part.
  const rootNode: Node = { path: '', name: '', dir: true, children: [] };
  const dirs = new Map<string, Node>([['', rootNode]]);
  const nodeAt = (rel: string, dir: boolean): Node => {
    const existing = dirs.get(rel);
    if (existing) return existing;
    const cut = rel.lastIndexOf('/');
    const parent = nodeAt(cut < 0 ? '' : rel.slice(0, cut), true);
    const node: Node = { path: rel, name: rel.slice(cut + 1), dir, children: [] };
    parent.children.push(node);
    if (dir) dirs.set(rel, node);
    return node;
  };
  for (const d of walked.dirs) nodeAt(d, true);
  for (const f of walked.files) nodeAt(f, false);
  for (const r of walked.refused) if (!dirs.has(r.path)) nodeAt(r.path, false);
  // A directory the walk refused (too deep) is listed without a trailing slash: its prefix must match it too.
  const refusedDirs = new Set(walked.refused.map((r) => r.path).filter((p) => dirs.has(p)));

  const owners = new Map<Node, number>();
  const ownerOf = (n: Node): number => {
    const known = owners.get(n);
    if (known !== undefined) return known;
    let owner: number;
    const day = groupOfDay.get(n.path);
    if (day !== undefined) owner = day;
    else if (!n.dir || n.children.length === 0) owner = REST;
    else {
      const seen = new Set(n.children.map(ownerOf));
      owner = seen.size === 1 ? [...seen][0]! : MIXED;
    }
    owners.set(n, owner);
    return owner;
  };

  const prefixes: string[][] = groups.map(() => []);
  const rest: string[] = [];
  let ambiguous = false;
  const emit = (n: Node, parent: Node): void => {
    const owner = ownerOf(n);
    if (owner === MIXED) {
      for (const c of n.children) emit(c, n);
      return;
    }
    const leaf = !n.dir || refusedDirs.has(n.path);
    if (leaf) {
      // A file's path is a prefix of every sibling whose name starts with its name: those must be its part's too.
      const clash = parent.children.some((s) => s !== n && s.name.startsWith(n.name) && ownerOf(s) !== owner);
      if (clash) ambiguous = true;
    }
    (owner === REST ? rest : prefixes[owner]!).push(leaf ? n.path : `${n.path}/`);
  };
  for (const c of rootNode.children) emit(c, rootNode);
  if (ambiguous) return WHOLE_DIRECTORY;
  const all = [...prefixes, rest];
  if (all.some((p) => p.length > MAX_PREFIXES_PER_JOB || p.some((s) => s.length > MAX_PREFIX_LENGTH)))
    return WHOLE_DIRECTORY;

  const digest = (list: readonly string[]): string => sha256Hex(list.join('\n')).slice(0, 10);
  const parts: ExportDirPart[] = groups.map((g, k) => ({
    part: `ct-${dayFiles.get(days[g[0]!]!)!.label}-n${g.length}-${digest(prefixes[k]!)}`,
    prefixes: prefixes[k]!,
  }));
  if (rest.length) parts.push({ part: `rest-${digest(rest)}`, prefixes: rest });
  return parts;
}

function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i));
  return out;
}

async function sizeOf(root: string, files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    try {
      n += (await fs.lstat(path.join(root, f))).size;
    } catch {
      // gone since the walk: the job reports it
    }
  }
  return n;
}
