import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTORS } from '../../src/collectors/catalog.js';
import { iamPolicyFor, RUNNER_ACTIONS } from '../../src/collectors/iam-policy.js';
import { LIVE_COLLECTORS } from '../../src/collectors/live/registry.js';

/** SDK client package → IAM service prefix. */
const PREFIX: Record<string, string> = {
  'client-cloudtrail': 'cloudtrail',
  'client-config-service': 'config',
  'client-bedrock': 'bedrock',
  'client-sagemaker': 'sagemaker',
  'client-cloudwatch-logs': 'logs',
  'client-s3': 's3',
  'client-sts': 'sts',
  'client-account': 'account',
};
/** SDK commands whose IAM action has another name. */
const ACTION_OF: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket', 's3:HeadObject': 's3:GetObject' };

const policyActions = (ids: readonly string[]): Set<string> =>
  new Set(iamPolicyFor(COLLECTORS.filter((c) => ids.includes(c.id))).Statement.flatMap((s) => s.Action));

/** Every `new XxxCommand(` in a collector's own file and the helper files it imports from this folder. */
function commandsSentBy(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/import\s*\{([^}]+)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
    const prefix = PREFIX[m[2]!];
    for (const name of m[1]!.split(',').map((s) => s.trim().replace(/^type\s+/, ''))) {
      if (name.endsWith('Command') && prefix && new RegExp(`new ${name}\\(`).test(src)) out.push(`${prefix}:${name.slice(0, -'Command'.length)}`);
    }
  }
  for (const m of src.matchAll(/from\s*'\.\/([a-z0-9-]+)\.js'/g)) {
    const dep = path.join(path.dirname(file), `${m[1]}.ts`);
    if (!['types', 'context', 'pages', 'registry', 'runner'].includes(m[1]!)) out.push(...commandsSentBy(dep, seen));
  }
  return out.map((op) => ACTION_OF[op] ?? op);
}

describe('least privilege', () => {
  it('every collector in the registry has a declaration', () => {
    for (const c of LIVE_COLLECTORS) expect(COLLECTORS.map((d) => d.id)).toContain(c.id);
  });

  it.each(LIVE_COLLECTORS.map((c) => [c.id, c] as const))('%s: every operation it declares is allowed by the generated policy', (id, c) => {
    const allowed = policyActions([id]);
    expect(c.operations.filter((op) => !allowed.has(op))).toEqual([]);
  });

  it.each(LIVE_COLLECTORS.map((c) => [c.id, c] as const))('%s: every SDK command in its source is declared and allowed', (id, c) => {
    const sent = new Set(commandsSentBy(path.resolve(`src/collectors/live/${id}.ts`)));
    // Artifact has no SDK client here (a SigV4 REST client); every other collector must be seen sending commands.
    if (id !== 'artifact') expect(sent.size).toBeGreaterThan(2);
    const allowed = policyActions([id]);
    expect([...sent].filter((op) => !c.operations.includes(op))).toEqual([]);
    expect([...sent].filter((op) => !allowed.has(op))).toEqual([]);
  });

  it('the scanner sees the commands of a known collector', () => {
    expect(commandsSentBy(path.resolve('src/collectors/live/config.ts'))).toEqual(expect.arrayContaining(['config:SelectResourceConfig', 'config:DescribeConformancePackCompliance']));
    expect(commandsSentBy(path.resolve('src/collectors/live/sagemaker.ts'))).toEqual(expect.arrayContaining(['sagemaker:QueryLineage', 's3:GetObject']));
  });

  it('the runner actions are in every policy, and the policy is read-only', () => {
    const policy = iamPolicyFor(COLLECTORS);
    expect(policy.Statement[0]!.Action).toEqual([...RUNNER_ACTIONS]);
    for (const a of policy.Statement.flatMap((s) => s.Action)) expect(a).toMatch(/^[a-z0-9-]+:(Describe|Get|List|Lookup|Select|Query|Filter|BatchGet)/);
    expect(() => iamPolicyFor([{ ...COLLECTORS[0], iamActions: ['cloudtrail:StopLogging'] }])).toThrow(/not a read-only action/);
  });
});
