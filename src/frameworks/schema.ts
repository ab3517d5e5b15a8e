import { z } from 'zod';

/**
 * Schema of `frameworks/*.yaml`. A framework file is a complete catalog: every control of the framework is
 * present, including those no automation can evidence (automation: none, with a manual evidence request).
 * Titles and descriptions are auditpack's own words, never the copyrighted criteria text.
 */

export const ControlId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.()_-]*$/, 'control ids use letters, digits and . ( ) _ -');

export const EvidenceExpectation = z.strictObject({
  rule: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Why this evidence supports the control (shown to auditors). */
  rationale: z.string().min(1).optional(),
});
export type EvidenceExpectation = z.infer<typeof EvidenceExpectation>;

export const ManualRequest = z.strictObject({
  /** What the auditee must provide, phrased as a request an auditor would make. */
  request: z.string().min(10),
});

export const Control = z
  .strictObject({
    id: ControlId,
    section: z.string().min(1),
    title: z.string().min(3),
    description: z.string().min(10),
    /** full: automated evidence can satisfy it; partial: automated evidence supports it but an attestation is still needed; none: manual. */
    automation: z.enum(['full', 'partial', 'none']),
    evidence: z.array(EvidenceExpectation).default([]),
    manual: ManualRequest.optional(),
    /** HIPAA implementation specifications: required or addressable. */
    requirement: z.enum(['required', 'addressable']).optional(),
    /** The standard an implementation specification belongs to. */
    parent: ControlId.optional(),
    /** Independent mappings of the same control, for coverage cross-checks (Prowler requirement ids, Steampipe benchmarks). */
    crossReferences: z
      .strictObject({ prowler: z.array(z.string()).optional(), steampipe: z.array(z.string()).optional() })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.automation === 'none' && c.evidence.length > 0) {
      ctx.addIssue({ code: 'custom', message: `control ${c.id}: automation "none" cannot list evidence`, path: ['evidence'] });
    }
    if (c.automation !== 'none' && c.evidence.length === 0) {
      ctx.addIssue({ code: 'custom', message: `control ${c.id}: automation "${c.automation}" needs at least one evidence expectation`, path: ['evidence'] });
    }
    if (c.automation !== 'full' && !c.manual) {
      ctx.addIssue({ code: 'custom', message: `control ${c.id}: automation "${c.automation}" needs a manual.request`, path: ['manual'] });
    }
  });
export type Control = z.infer<typeof Control>;

export const Section = z.strictObject({ id: z.string().min(1), title: z.string().min(3) });

export const Framework = z.strictObject({
  schema: z.literal('auditpack-framework/1'),
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.string().min(3),
  version: z.string().min(1),
  publisher: z.string().min(2),
  /** What catalog the file follows (the official document and edition). */
  source: z.string().min(5),
  notice: z.string().min(5),
  sections: z.array(Section).min(1),
  controls: z.array(Control).min(1),
});
export type Framework = z.infer<typeof Framework>;
