import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FRAMEWORKS_DIR, loadFramework } from '../frameworks/load.js';
import { DeliveryInputError } from './types.js';

/**
 * Which auditpack controls feed which AWS Audit Manager controls. Two sources, explicit first:
 *
 * 1. the mapping file the user gives (an Audit Manager control by id or exact name, optionally within one
 *    control set, mapped to `framework:control` references); an entry replaces automatic matching for the
 *    controls it names, and `ignore` keeps controls out entirely;
 * 2. automatic matching: control ids of our catalogs found as whole tokens in the Audit Manager control name
 *    ("CC6.1 - ...", "164.312(b) Audit controls", "Article 32 ..."), the most specific id winning
 *    ("164.312(a)(2)(iv)" over "164.312(a)(2)"). When the Audit Manager framework's name says which standard it
 *    is (SOC 2, HIPAA, GDPR), only that catalog is searched.
 */

const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
export const ControlRef = z.string().regex(/^[a-z][a-z0-9_]*:[A-Za-z0-9][A-Za-z0-9.()_-]*$/, 'expected framework:control, such as soc2:CC6.1 or hipaa:164.312(b)');

const MappingEntry = z
  .strictObject({
    /** The Audit Manager control's id (a UUID) ... */
    controlId: z.string().regex(UUID, 'expected an Audit Manager control id (a lower-case UUID)').optional(),
    /** ... or its exact name. */
    controlName: z.string().min(1).max(300).optional(),
    /** Only in this control set (its id, which for most frameworks is its name). */
    controlSet: z.string().min(1).max(300).optional(),
    auditpack: z.array(ControlRef).min(1),
  })
  .refine((e) => e.controlId !== undefined || e.controlName !== undefined, 'give controlId or controlName');

export const ControlMappingFile = z.strictObject({
  version: z.literal(1),
  controls: z.array(MappingEntry).default([]),
  /** Audit Manager control ids or names never to deliver to. */
  ignore: z.array(z.string().min(1)).default([]),
});
export type ControlMappingFile = z.infer<typeof ControlMappingFile>;

export function parseControlMapping(text: string, file: string): ControlMappingFile {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new DeliveryInputError(`control mapping ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const parsed = ControlMappingFile.safeParse(doc);
  if (!parsed.success) {
    throw new DeliveryInputError(`control mapping ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function loadControlMapping(file: string): ControlMappingFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DeliveryInputError(`control mapping ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseControlMapping(text, file);
}

/** Control ids per framework, from `frameworks/*.yaml`. */
export type Catalogs = ReadonlyMap<string, ReadonlySet<string>>;

export function loadCatalogs(frameworkIds: readonly string[], dir: string = FRAMEWORKS_DIR): Catalogs {
  return new Map(frameworkIds.map((id) => [id, new Set(loadFramework(id, dir).framework.controls.map((c) => c.id))]));
}

/** Every reference of the mapping file must name a control of a catalog being delivered. */
export function checkMappingReferences(mapping: ControlMappingFile, catalogs: Catalogs, file = 'control mapping'): void {
  const bad: string[] = [];
  for (const e of mapping.controls) {
    for (const ref of e.auditpack) {
      const [fw, control] = splitRef(ref);
      if (!catalogs.has(fw)) bad.push(`${ref} (framework "${fw}" is not in this pack: ${[...catalogs.keys()].join(', ')})`);
      else if (!catalogs.get(fw)!.has(control)) bad.push(`${ref} (no control "${control}" in ${fw})`);
    }
  }
  if (bad.length) throw new DeliveryInputError(`${file} names unknown controls: ${bad.join('; ')}`);
}

export function splitRef(ref: string): [string, string] {
  const i = ref.indexOf(':');
  return [ref.slice(0, i), ref.slice(i + 1)];
}

/** Which of our catalogs an Audit Manager framework name (or compliance type) points at, if any. */
export function frameworkHint(text: string | undefined): string | null {
  if (!text) return null;
  if (/\bSOC\s*2\b/i.test(text)) return 'soc2';
  if (/\bHIPAA\b/i.test(text)) return 'hipaa';
  if (/\bGDPR\b|General Data Protection Regulation/i.test(text)) return 'gdpr';
  return null;
}

/** Rewrites the usual spellings of control ids in Audit Manager names to ours. */
export function normalizeControlName(name: string): string {
  return (
    name
      .replace(/§\s*/g, '')
      .replace(/\bArticle\s*(\d+)/gi, 'Art.$1')
      .replace(/\bArt\.?\s+(\d)/g, 'Art.$1')
      // "164.312 (b)" → "164.312(b)"; "Art.5 (1) (a)" → "Art.5(1)(a)"
      .replace(/([\d)])\s+(?=\((?:\d{1,2}|[a-z]|[ivx]{1,5}|[A-Z])\))/g, '$1')
      // "CC 6.1" → "CC6.1"
      .replace(/\b(CC|PI|A|C|P)\s+(\d+\.\d+)/g, '$1$2')
  );
}

const BEFORE_OK = /[^A-Za-z0-9.]/;
/** Matches ids as whole tokens: "CC6.1" not in "CC6.10", "164.312(a)" not in "164.312(a)(1)". */
function tokenAt(text: string, start: number, length: number): boolean {
  const before = start === 0 ? '' : text[start - 1]!;
  const after = text[start + length] ?? '';
  const afterNext = text[start + length + 1] ?? '';
  if (before && !BEFORE_OK.test(before)) return false;
  if (/[A-Za-z0-9(]/.test(after)) return false;
  if (after === '.' && /[0-9]/.test(afterNext)) return false;
  return true;
}

/**
 * The `framework:control` references whose ids appear in `name`, most specific first-come: an occurrence inside a
 * longer matched id does not count.
 */
export function matchControlName(name: string, catalogs: Catalogs, only: string | null = null): string[] {
  const text = normalizeControlName(name);
  const candidates: { ref: string; id: string }[] = [];
  for (const [fw, ids] of catalogs) {
    if (only && catalogs.has(only) && fw !== only) continue;
    for (const id of ids) if (text.includes(id)) candidates.push({ ref: `${fw}:${id}`, id });
  }
  candidates.sort((a, b) => b.id.length - a.id.length || (a.ref < b.ref ? -1 : 1));
  const taken: [number, number][] = [];
  const out: string[] = [];
  for (const c of candidates) {
    for (let at = text.indexOf(c.id); at >= 0; at = text.indexOf(c.id, at + 1)) {
      const end = at + c.id.length;
      if (!tokenAt(text, at, c.id.length) || taken.some(([s, e]) => at < e && end > s)) continue;
      taken.push([at, end]);
      if (!out.includes(c.ref)) out.push(c.ref);
    }
  }
  return out;
}

export interface AuditManagerControl {
  readonly controlSetId: string;
  readonly controlId: string;
  readonly controlName: string;
  readonly status: string | null;
}

export interface ControlMatch {
  readonly control: AuditManagerControl;
  readonly refs: readonly string[];
  readonly source: 'mapping' | 'automatic';
}

/** Matches every Audit Manager control to auditpack controls; those with none come back in `unmatched`. */
export function matchControls(
  controls: readonly AuditManagerControl[],
  catalogs: Catalogs,
  opts: { mapping?: ControlMappingFile; automatic?: boolean; frameworkName?: string },
): { matched: ControlMatch[]; unmatched: AuditManagerControl[]; ignored: AuditManagerControl[] } {
  const mapping = opts.mapping;
  const hint = frameworkHint(opts.frameworkName);
  const matched: ControlMatch[] = [];
  const unmatched: AuditManagerControl[] = [];
  const ignored: AuditManagerControl[] = [];
  for (const c of controls) {
    if (mapping?.ignore.some((x) => x === c.controlId || x === c.controlName)) {
      ignored.push(c);
      continue;
    }
    const entries = (mapping?.controls ?? []).filter(
      (e) => (e.controlId ? e.controlId === c.controlId : e.controlName === c.controlName) && (e.controlSet === undefined || e.controlSet === c.controlSetId),
    );
    if (entries.length) {
      matched.push({ control: c, refs: [...new Set(entries.flatMap((e) => e.auditpack))], source: 'mapping' });
      continue;
    }
    const refs = opts.automatic === false ? [] : matchControlName(c.controlName, catalogs, hint);
    if (refs.length) matched.push({ control: c, refs, source: 'automatic' });
    else unmatched.push(c);
  }
  return { matched, unmatched, ignored };
}
