import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { sha256Hex } from '../util/canonical-json.js';
import { packageRoot } from '../util/package-root.js';
import { RULE_KINDS, isRuleKind } from '../mappers/rule-kinds.js';
import { Framework } from './schema.js';

export interface LoadedFramework {
  readonly framework: Framework;
  /** SHA-256 of the file bytes: goes into every pack so an auditor knows which catalog was applied. */
  readonly sha256: string;
  readonly file: string;
}

export class FrameworkError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`framework file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'FrameworkError';
  }
}

export const FRAMEWORKS_DIR = path.join(packageRoot(), 'frameworks');

export function listFrameworkIds(dir: string = FRAMEWORKS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function loadFramework(id: string, dir: string = FRAMEWORKS_DIR): LoadedFramework {
  if (!/^[a-z][a-z0-9_]*$/.test(id)) {
    throw new FrameworkError(id, [`"${id}" is not a framework id (known: ${listFrameworkIds(dir).join(', ')})`]);
  }
  const file = path.join(dir, `${id}.yaml`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new FrameworkError(file, [`no framework "${id}" (known: ${listFrameworkIds(dir).join(', ')})`]);
  }
  return parseFramework(bytes, file);
}

export function parseFramework(bytes: Buffer, file: string): LoadedFramework {
  let doc: unknown;
  try {
    doc = parseYaml(bytes.toString('utf8'), { uniqueKeys: true });
  } catch (err) {
    throw new FrameworkError(file, [`not valid YAML: ${(err as Error).message}`]);
  }
  const parsed = Framework.safeParse(doc);
  if (!parsed.success) throw new FrameworkError(file, formatIssues(parsed.error.issues));
  const framework = parsed.data;
  const problems = checkReferences(framework);
  if (problems.length > 0) throw new FrameworkError(file, problems);
  return { framework, sha256: sha256Hex(bytes), file };
}

/** Cross-references that a schema alone cannot check. */
export function checkReferences(framework: Framework): string[] {
  const problems: string[] = [];
  const sections = new Set(framework.sections.map((s) => s.id));
  const ids = new Set<string>();
  for (const s of framework.sections) {
    if (framework.sections.filter((o) => o.id === s.id).length > 1) problems.push(`section ${s.id} is defined twice`);
  }
  for (const c of framework.controls) {
    if (ids.has(c.id)) problems.push(`control ${c.id} is defined twice`);
    ids.add(c.id);
    if (!sections.has(c.section)) problems.push(`control ${c.id}: section "${c.section}" is not defined in sections`);
    c.evidence.forEach((e, i) => {
      const where = `control ${c.id} evidence[${i}]`;
      if (!isRuleKind(e.rule)) {
        problems.push(`${where}: unknown rule kind "${e.rule}" (known: ${Object.keys(RULE_KINDS).join(', ')})`);
        return;
      }
      const params = (RULE_KINDS[e.rule].params as z.ZodType).safeParse(e.params);
      if (!params.success) problems.push(...formatIssues(params.error.issues).map((p) => `${where} params: ${p}`));
    });
  }
  for (const c of framework.controls) {
    if (c.parent !== undefined && !ids.has(c.parent)) problems.push(`control ${c.id}: parent "${c.parent}" is not a control`);
  }
  return problems;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}
