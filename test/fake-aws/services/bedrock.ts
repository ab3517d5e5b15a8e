/** Amazon Bedrock control plane (restJson1), from `cli/<acct>/<region>/bedrock/`. */
import { AwsError, type CallContext, type JsonHandler } from '../types.js';

type Rec = Record<string, unknown>;
const SVC = 'bedrock';

function guardrails(ctx: CallContext): Rec[] {
  return ctx.estate.qualified(ctx.account, ctx.region, SVC, 'get-guardrail').map((d) => d.doc as Rec);
}

function guardrail(ctx: CallContext, identifier: string): Rec {
  const g = guardrails(ctx).find((x) => x['guardrailId'] === identifier || x['guardrailArn'] === identifier);
  if (!g) throw new AwsError('ResourceNotFoundException', 404, `Guardrail ${identifier} not found`);
  return g;
}

export const bedrockHandlers: Record<string, JsonHandler> = {
  GetModelInvocationLoggingConfiguration(_input, ctx) {
    return ctx.estate.cli(ctx.account, ctx.region, SVC, 'get-model-invocation-logging-configuration')?.doc ?? {};
  },
  ListGuardrails(input, ctx) {
    const id = input['guardrailIdentifier'] as string | undefined;
    const list = id ? [guardrail(ctx, id)] : guardrails(ctx);
    return {
      guardrails: list.map((g) => ({
        id: g['guardrailId'],
        arn: g['guardrailArn'],
        status: g['status'],
        name: g['name'],
        description: g['description'],
        version: g['version'],
        createdAt: g['createdAt'],
        updatedAt: g['updatedAt'],
      })),
    };
  },
  /** The CLI output is served for its own version, for DRAFT and when no version is asked for. */
  GetGuardrail(input, ctx) {
    const g = guardrail(ctx, input['guardrailIdentifier'] as string);
    const v = input['guardrailVersion'] as string | undefined;
    if (v !== undefined && v !== 'DRAFT' && v !== g['version'])
      throw new AwsError(
        'ResourceNotFoundException',
        404,
        `Guardrail ${String(g['guardrailId'])} version ${v} not found`,
      );
    return g;
  },
};
