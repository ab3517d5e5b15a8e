import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AcceptedRisk } from './types.js';

const isoDate = z.union([z.iso.date(), z.iso.datetime()]).transform((s) => (s.length === 10 ? `${s}T23:59:59.999Z` : new Date(s).toISOString()));

export const AcceptedRiskEntry = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  framework: z.string().optional(),
  control: z.string().min(1),
  owner: z.string().min(1),
  approver: z.string().min(1),
  rationale: z.string().min(10),
  expires: isoDate,
});

export const AcceptedRisksFile = z.strictObject({ exceptions: z.array(AcceptedRiskEntry) });

export class AcceptedRisksError extends Error {
  constructor(file: string, problems: readonly string[]) {
    super(`exceptions file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'AcceptedRisksError';
  }
}

/** Parses an exceptions file (accepted risks). Unknown keys, missing owners and bad dates are errors. */
export function parseAcceptedRisks(text: string, file: string): AcceptedRisk[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new AcceptedRisksError(file, [`not valid YAML: ${(err as Error).message}`]);
  }
  const parsed = AcceptedRisksFile.safeParse(doc ?? { exceptions: [] });
  if (!parsed.success) throw new AcceptedRisksError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const e of parsed.data.exceptions) {
    if (ids.has(e.id)) problems.push(`exceptions: id ${e.id} is used twice`);
    ids.add(e.id);
  }
  if (problems.length) throw new AcceptedRisksError(file, problems);
  return parsed.data.exceptions.map((e) => ({ ...e, framework: e.framework ?? null }));
}
