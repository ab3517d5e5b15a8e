import type { CollectorDeclaration } from './catalog.js';

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: '*' }[];
}

/** Actions the runner itself needs whatever the collectors: who am I, and which regions are enabled. */
export const RUNNER_ACTIONS = ['sts:GetCallerIdentity', 'account:ListRegions'] as const;

const sid = (id: string): string => `Auditpack${id.replace(/(^|[_-])([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase())}ReadOnly`;

/**
 * The read-only IAM policy for the given collectors, generated from their declarations (one statement per
 * collector, so a reviewer sees why each action is there). Read-only is enforced: any action that is not a
 * Describe/Get/List/Lookup/Select/Query/Filter/BatchGet call makes this throw.
 */
export function iamPolicyFor(collectors: readonly CollectorDeclaration[]): IamPolicyDocument {
  const statements: IamPolicyDocument['Statement'] = [{ Sid: 'AuditpackRunner', Effect: 'Allow', Action: [...RUNNER_ACTIONS], Resource: '*' }];
  for (const c of collectors) {
    for (const a of c.iamActions) {
      if (!/^[a-z0-9-]+:(Describe|Get|List|Lookup|Select|Query|Filter|BatchGet)[A-Za-z0-9]*$/.test(a)) {
        throw new Error(`collector ${c.id} declares ${a}, which is not a read-only action`);
      }
    }
    statements.push({ Sid: sid(c.id), Effect: 'Allow', Action: [...new Set(c.iamActions)].sort(), Resource: '*' });
  }
  return { Version: '2012-10-17', Statement: statements };
}
