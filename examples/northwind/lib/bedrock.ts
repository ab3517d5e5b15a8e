/**
 * Amazon Bedrock: the invocation plan (fixed, independent of the seed), the model-invocation log files, the
 * matching CloudTrail events, and the CLI outputs (logging configuration, guardrail).
 */
import { fixedStream, type Rng } from './rng.js';
import {
  at,
  cliTime,
  compactSecond,
  EU,
  GUARDRAILS,
  isoZ,
  KMS,
  kmsArn,
  MLDEV,
  MODELS,
  P,
  PROD,
  type Principal,
} from './common.js';
import type { CtSpec, JsonObject } from './cloudtrail-event.js';
import { cardNumber, email, iban, phone, ssn, type PiiType } from './pii.js';
import { templateTraits } from './templates.js';

/** ml-dev eu-west-1: `DeleteModelInvocationLoggingConfiguration` — no invocation log record after this instant. */
export const MLDEV_LOGGING_DELETED_AT = at(21, 14, 5, 0);
/** ml-dev eu-west-1: `DeleteGuardrail`. */
export const MLDEV_GUARDRAIL_DELETED_AT = at(22, 9, 30, 0);

export type GuardOutcome = 'none' | 'applied' | 'intervened';

export interface PiiItem {
  readonly type: PiiType;
  readonly value: string;
}

export interface Invocation {
  readonly account: string;
  readonly region: string;
  readonly time: number;
  readonly requestId: string;
  readonly eventId: string;
  readonly principal: Principal;
  readonly operation: 'Converse' | 'InvokeModel';
  readonly modelId: string;
  readonly pii: readonly PiiItem[];
  /** none: no guardrail on the call; applied: guardrail on the call but it did not intervene; intervened. */
  readonly guard: GuardOutcome;
  /** Whether a model-invocation log record exists (logging on at that time). */
  readonly logged: boolean;
  readonly record: JsonObject;
  /** For the planted unguarded-PII records: why no guardrail intervened. */
  readonly unguardedReason?: string;
}

const SUPPORT_SYSTEM =
  'You are the Northwind Health member support assistant. Answer questions about claims, coverage and billing politely and briefly. Never ask members for payment card or social security numbers.';

const SUPPORT_QA: readonly (readonly [string, string])[] = [
  [
    'How do I check the status of my claim?',
    'You can see every claim in the member portal under Claims, then History. Most claims are decided within ten business days.',
  ],
  [
    'What documents do I need to submit for a reimbursement?',
    'Please upload the itemised invoice from your provider and the proof of payment. A referral letter is needed for specialist visits.',
  ],
  [
    'Is physiotherapy covered under my plan?',
    'Physiotherapy is covered when it is prescribed by your doctor. Your plan documents list how many sessions are included each year.',
  ],
  [
    'Why was my last claim partially rejected?',
    'Part of a claim is usually rejected when a service is outside your plan or above the reasonable and customary amount. The explanation of benefits shows the reason for each line.',
  ],
  [
    'How long does pre-authorisation take for an MRI scan?',
    'Pre-authorisation for imaging normally takes two to three business days once your doctor has sent the request.',
  ],
  [
    'I moved house recently. How do I update my address?',
    'You can change your address in the member portal under Profile. The change applies to all future letters.',
  ],
  [
    'What is the difference between in-network and out-of-network providers?',
    'In-network providers have agreed rates with Northwind, so your share of the cost is lower. Out-of-network care may need pre-approval and costs more.',
  ],
  [
    'Can you explain my explanation of benefits statement?',
    'The statement lists each service, what the provider charged, what your plan paid and what remains for you to pay.',
  ],
  [
    'My prescription refill was denied. What should I do?',
    'A refill can be denied when it is too early or needs prior authorisation. Ask your pharmacist to contact us or request an exception in the portal.',
  ],
  [
    'How do I add my newborn to my policy?',
    'Congratulations! You can add your baby within thirty days of the birth from the Family section of the member portal.',
  ],
  [
    'Where can I download my annual tax statement?',
    'Tax statements are available in the portal under Documents once they are issued at the end of January.',
  ],
  [
    'Does my plan cover telehealth appointments?',
    'Yes, telehealth visits with in-network providers are covered at the same rate as office visits.',
  ],
  [
    'Can I choose a different primary care doctor?',
    'You can change your primary care doctor once a month in the portal. The change takes effect on the first day of the next month.',
  ],
  [
    'How do I appeal a decision on my claim?',
    'You can file an appeal within one hundred and eighty days. Use the Appeal button next to the claim and attach any supporting letters.',
  ],
];

const DS_PROMPTS: readonly (readonly [string, string])[] = [
  [
    'Summarise the main reasons members contact support about billing, in three bullet points.',
    'Members mostly ask about duplicate charges, unclear statements and changes to payment methods.',
  ],
  [
    'Classify this ticket into one of: billing, claims, coverage, other. Ticket: the member asks whether acupuncture is included.',
    'coverage',
  ],
  [
    'Write a short, friendly reply template for members whose claim needs more documents.',
    'Thank you for your claim. To finish our review we need a few more documents. Please upload them in the portal and we will update you within five business days.',
  ],
  [
    'Extract the product names mentioned in this text: the Silver and Gold plans both include dental cover.',
    'Silver plan, Gold plan',
  ],
  [
    'Rewrite this sentence in plain English: the deductible is applicable prior to coinsurance.',
    'You pay the deductible first, then you share the remaining costs with your plan.',
  ],
  [
    'Give three evaluation criteria for a support answer summariser.',
    'Faithfulness to the source, coverage of the key request, and brevity.',
  ],
];

const DEV_PROMPTS: readonly (readonly [string, string])[] = [
  [
    'Synthetic ticket: a test member asks how to reset the portal password. Summarise in one sentence.',
    'The member needs help resetting the portal password.',
  ],
  [
    'Synthetic ticket: a test member reports that the claims page loads slowly. Summarise.',
    'The member reports slow loading of the claims page.',
  ],
  [
    'Generate a synthetic churn-risk explanation for a member who downgraded from the Gold to the Silver plan.',
    'The downgrade suggests price sensitivity; offering a loyalty discount may reduce churn risk.',
  ],
  [
    'Synthetic ticket: a test member wants to know when the new dental benefits start. Summarise.',
    'The member asks about the start of the new dental benefits.',
  ],
];

const BLOCKED_MESSAGE =
  'Sorry, I can not process messages that contain payment card or social security numbers. Please remove them and try again.';

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

interface PromptPlan {
  readonly text: string;
  readonly answer: string;
  readonly pii: readonly PiiItem[];
}

function piiPrompt(rng: Rng): PromptPlan {
  const kind = rng.weighted<string>([
    ['email', 4],
    ['phone', 3],
    ['email+phone', 2],
    ['card', 2],
    ['ssn', 2],
    ['ssn+email', 1],
  ]);
  const e = email(rng);
  const ph = phone(rng);
  switch (kind) {
    case 'email':
      return {
        text: `Please send the claim summary to ${e} instead of my old address.`,
        answer: 'Thanks, I have noted {EMAIL} as the address for your claim summaries.',
        pii: [{ type: 'EMAIL', value: e }],
      };
    case 'phone':
      return {
        text: `Can someone call me back on ${ph} about my denied claim?`,
        answer: 'A claims specialist will call you back on {PHONE} within one business day.',
        pii: [{ type: 'PHONE', value: ph }],
      };
    case 'email+phone':
      return {
        text: `Please update my contact details: email ${e}, mobile ${ph}.`,
        answer: 'Your contact details were updated to {EMAIL} and {PHONE}.',
        pii: [
          { type: 'EMAIL', value: e },
          { type: 'PHONE', value: ph },
        ],
      };
    case 'card': {
      const c = cardNumber(rng);
      return {
        text: `I was charged twice on my card ${c}, can you refund one of the payments?`,
        answer: BLOCKED_MESSAGE,
        pii: [{ type: 'CREDIT_DEBIT_CARD_NUMBER', value: c }],
      };
    }
    case 'ssn': {
      const s = ssn(rng);
      return {
        text: `My social security number is ${s}, can you confirm my enrollment?`,
        answer: BLOCKED_MESSAGE,
        pii: [{ type: 'US_SOCIAL_SECURITY_NUMBER', value: s }],
      };
    }
    default: {
      const s = ssn(rng);
      return {
        text: `For verification, my SSN is ${s} and my email is ${e}. Why is my premium higher this month?`,
        answer: BLOCKED_MESSAGE,
        pii: [
          { type: 'US_SOCIAL_SECURITY_NUMBER', value: s },
          { type: 'EMAIL', value: e },
        ],
      };
    }
  }
}

const BLOCKING: ReadonlySet<PiiType> = new Set(['CREDIT_DEBIT_CARD_NUMBER', 'US_SOCIAL_SECURITY_NUMBER']);

function guardrailTraceEntry(rng: Rng, prompt: string, pii: readonly PiiItem[]): JsonObject {
  return {
    sensitiveInformationPolicy: {
      piiEntities: pii.map((p) => ({
        match: p.value,
        type: p.type,
        action: BLOCKING.has(p.type) ? 'BLOCKED' : 'ANONYMIZED',
        detected: true,
      })),
    },
    invocationMetrics: {
      guardrailProcessingLatency: rng.int(140, 420),
      usage: {
        topicPolicyUnits: 0,
        contentPolicyUnits: 1,
        wordPolicyUnits: 1,
        sensitiveInformationPolicyUnits: 1,
        sensitiveInformationPolicyFreeUnits: 0,
        contextualGroundingPolicyUnits: 0,
      },
      guardrailCoverage: { textCharacters: { guarded: prompt.length, total: prompt.length } },
    },
  };
}

interface CallPlan {
  readonly account: string;
  readonly time: number;
  readonly principal: Principal;
  readonly operation: 'Converse' | 'InvokeModel';
  readonly modelId: string;
  readonly system?: string;
  readonly prompt: PromptPlan;
  /** The guardrail attached to the call, if any. */
  readonly guardrail?: { readonly id: string; readonly version: string };
  readonly unguardedReason?: string;
}

function buildRecord(plan: CallPlan, requestId: string, rng: Rng): { record: JsonObject; guard: GuardOutcome } {
  const { prompt } = plan;
  const intervene = plan.guardrail !== undefined && plan.prompt.pii.length > 0 && plan.unguardedReason === undefined;
  const blocked = intervene && prompt.pii.some((p) => BLOCKING.has(p.type));
  const answer = intervene ? (blocked ? BLOCKED_MESSAGE : prompt.answer) : prompt.answer;
  const inTok = tokens(prompt.text) + (plan.system ? tokens(plan.system) : 0) + 7;
  const outTok = blocked ? 0 : tokens(answer) + rng.int(0, 6);
  let inputBody: JsonObject;
  let outputBody: JsonObject;
  if (plan.operation === 'Converse') {
    inputBody = {
      messages: [{ role: 'user', content: [{ text: prompt.text }] }],
      ...(plan.system ? { system: [{ text: plan.system }] } : {}),
      inferenceConfig: { maxTokens: 512, temperature: 0.2 },
      ...(plan.guardrail
        ? {
            guardrailConfig: {
              guardrailIdentifier: plan.guardrail.id,
              guardrailVersion: plan.guardrail.version,
              trace: 'enabled',
            },
          }
        : {}),
    };
    outputBody = {
      output: { message: { role: 'assistant', content: [{ text: answer }] } },
      stopReason: intervene ? 'guardrail_intervened' : 'end_turn',
      usage: { inputTokens: inTok, outputTokens: outTok, totalTokens: inTok + outTok },
      metrics: { latencyMs: rng.int(380, 2400) },
      ...(intervene && plan.guardrail
        ? {
            trace: {
              guardrail: {
                inputAssessment: { [plan.guardrail.id]: guardrailTraceEntry(rng, prompt.text, prompt.pii) },
              },
            },
          }
        : {}),
    };
  } else if (plan.modelId === MODELS.titan) {
    inputBody = {
      inputText: prompt.text,
      textGenerationConfig: { maxTokenCount: 512, temperature: 0.3, topP: 0.9, stopSequences: [] },
    };
    outputBody = {
      inputTextTokenCount: inTok,
      results: [{ tokenCount: outTok, outputText: answer, completionReason: 'FINISH' }],
    };
  } else {
    inputBody = {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 512,
      ...(plan.system ? { system: plan.system } : {}),
      messages: [{ role: 'user', content: [{ type: 'text', text: prompt.text }] }],
    };
    const trace =
      intervene && plan.guardrail
        ? {
            'amazon-bedrock-trace': {
              guardrail: { input: { [plan.guardrail.id]: guardrailTraceEntry(rng, prompt.text, prompt.pii) } },
            },
          }
        : {};
    // A blocked request never reaches the model: the body holds only the guardrail's message (as in the real sample).
    outputBody = blocked
      ? {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'text', text: answer }],
          'amazon-bedrock-guardrailAction': 'INTERVENED',
          ...trace,
        }
      : {
          id: `msg_bdrk_01${rng.alnum(22)}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-3-haiku-20240307',
          content: [{ type: 'text', text: answer }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: inTok, output_tokens: outTok },
          ...(plan.guardrail ? { 'amazon-bedrock-guardrailAction': intervene ? 'INTERVENED' : 'NONE' } : {}),
          ...trace,
        };
  }
  const record: JsonObject = {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: isoZ(plan.time),
    accountId: plan.account,
    identity: { arn: plan.principal.arn },
    region: EU,
    requestId,
    operation: plan.operation,
    modelId: plan.modelId,
    input: { inputContentType: 'application/json', inputBodyJson: inputBody, inputTokenCount: inTok },
    output: { outputContentType: 'application/json', outputBodyJson: outputBody, outputTokenCount: outTok },
  };
  return { record, guard: intervene ? 'intervened' : plan.guardrail ? 'applied' : 'none' };
}

const PROD_GUARDRAIL = { id: GUARDRAILS.prod.id, version: GUARDRAILS.prod.version };
const MLDEV_GUARDRAIL = { id: GUARDRAILS.mldevDeleted.id, version: GUARDRAILS.mldevDeleted.version };

function prodDay(day: number): CallPlan[] {
  const rng = fixedStream(`bedrock:prod:day:${day}`);
  const hours = rng.shuffle([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]).slice(0, 4);
  const out: CallPlan[] = [];
  for (const h of hours) {
    const n = rng.int(2, 4);
    for (let i = 0; i < n; i++) {
      const time = at(day, h, rng.int(0, 58), rng.int(0, 59));
      const kind = rng.weighted<string>([
        ['support-converse', 65],
        ['support-invoke', 15],
        ['ds-titan', 10],
        ['ds-converse', 10],
      ]);
      if (kind.startsWith('support')) {
        const pii = rng.chance(0.14);
        const qa = rng.pick(SUPPORT_QA);
        const prompt = pii ? piiPrompt(rng) : { text: qa[0], answer: qa[1], pii: [] };
        out.push({
          account: PROD,
          time,
          principal: P.prod.supportAssistant,
          operation: kind === 'support-converse' ? 'Converse' : 'InvokeModel',
          modelId: MODELS.haiku,
          system: SUPPORT_SYSTEM,
          prompt,
          guardrail: PROD_GUARDRAIL,
        });
      } else {
        const [text, answer] = rng.pick(DS_PROMPTS);
        out.push({
          account: PROD,
          time,
          principal: rng.chance(0.5) ? P.prod.amir : P.prod.lena,
          operation: kind === 'ds-titan' ? 'InvokeModel' : 'Converse',
          modelId: kind === 'ds-titan' ? MODELS.titan : MODELS.haiku,
          prompt: { text, answer, pii: [] },
        });
      }
    }
  }
  return out;
}

/** The three planted prod records that carry PII but got no guardrail intervention. */
function prodUnguarded(): CallPlan[] {
  const rng = fixedStream('bedrock:prod:unguarded');
  const ib = iban(rng);
  const e = email(rng);
  const ph = phone(rng);
  const s = ssn(rng);
  const c = cardNumber(rng);
  return [
    {
      account: PROD,
      time: at(7, 10, 14, 9),
      principal: P.prod.supportAssistant,
      operation: 'Converse',
      modelId: MODELS.haiku,
      system: SUPPORT_SYSTEM,
      prompt: {
        text: `Please refund the overpaid premium to my bank account, IBAN ${ib}. Thank you!`,
        answer: 'Thank you. Refunds of overpaid premiums are sent to the account on file within seven business days.',
        pii: [{ type: 'INTERNATIONAL_BANK_ACCOUNT_NUMBER', value: ib }],
      },
      guardrail: PROD_GUARDRAIL,
      unguardedReason:
        'guardrail applied, but its sensitive-information policy has no INTERNATIONAL_BANK_ACCOUNT_NUMBER filter',
    },
    {
      account: PROD,
      time: at(16, 14, 22, 51),
      principal: P.prod.lena,
      operation: 'InvokeModel',
      modelId: MODELS.titan,
      prompt: {
        text: `Summarise this support ticket for the weekly review: the member (contact ${e}, phone ${ph}) reports duplicate premium charges and asks for a refund.`,
        answer: 'A member reports duplicate premium charges and requests a refund.',
        pii: [
          { type: 'EMAIL', value: e },
          { type: 'PHONE', value: ph },
        ],
      },
      unguardedReason: 'direct InvokeModel call by a data scientist without a guardrail',
    },
    {
      account: PROD,
      time: at(27, 9, 48, 30),
      principal: P.prod.amir,
      operation: 'Converse',
      modelId: MODELS.haiku,
      prompt: {
        text: `Check why this sample was not redacted in the summariser test set: SSN ${s}, card ${c}.`,
        answer:
          'The sample contains values that look like identifiers; the test set should only contain masked placeholders.',
        pii: [
          { type: 'US_SOCIAL_SECURITY_NUMBER', value: s },
          { type: 'CREDIT_DEBIT_CARD_NUMBER', value: c },
        ],
      },
      unguardedReason: 'Converse call by a data scientist without guardrailConfig',
    },
  ];
}

function mldevDay(day: number): CallPlan[] {
  const rng = fixedStream(`bedrock:mldev:day:${day}`);
  const hours = rng.shuffle([9, 10, 11, 13, 14, 15, 16, 17]).slice(0, 2);
  const out: CallPlan[] = [];
  for (const h of hours) {
    const n = rng.int(2, 3);
    for (let i = 0; i < n; i++) {
      const time = at(day, h, rng.int(0, 58), rng.int(0, 59));
      const [text, answer] = rng.pick(DEV_PROMPTS);
      const kind = rng.weighted<string>([
        ['staging', 3],
        ['priya-titan', 1],
        ['amir-invoke', 1],
      ]);
      if (kind === 'staging') {
        out.push({
          account: MLDEV,
          time,
          principal: P.mldev.supportStaging,
          operation: 'Converse',
          modelId: MODELS.haiku,
          system: SUPPORT_SYSTEM,
          prompt: { text, answer, pii: [] },
          ...(time < MLDEV_GUARDRAIL_DELETED_AT ? { guardrail: MLDEV_GUARDRAIL } : {}),
        });
      } else {
        out.push({
          account: MLDEV,
          time,
          principal: kind === 'priya-titan' ? P.mldev.priya : P.mldev.amir,
          operation: 'InvokeModel',
          modelId: kind === 'priya-titan' ? MODELS.titan : MODELS.haiku,
          prompt: { text, answer, pii: [] },
        });
      }
    }
  }
  return out;
}

/** Every Bedrock runtime call of the period, sorted by account then time. */
export function planInvocations(): Invocation[] {
  const plans: CallPlan[] = [];
  for (let d = 1; d <= 31; d++) plans.push(...prodDay(d), ...mldevDay(d));
  plans.push(...prodUnguarded());
  plans.sort((a, b) => (a.account === b.account ? a.time - b.time : a.account < b.account ? -1 : 1));
  const ids = fixedStream('bedrock:ids');
  const bodies = fixedStream('bedrock:bodies');
  const seen = new Set<string>();
  return plans.map((plan) => {
    let time = plan.time;
    while (seen.has(`${plan.account}:${time}`)) time += 1000; // one call per second per account keeps the order total
    seen.add(`${plan.account}:${time}`);
    const p = { ...plan, time };
    const requestId = ids.uuid();
    const eventId = ids.uuid();
    const { record, guard } = buildRecord(p, requestId, bodies);
    const logged = p.account === PROD || p.time < MLDEV_LOGGING_DELETED_AT;
    return {
      account: p.account,
      region: EU,
      time: p.time,
      requestId,
      eventId,
      principal: p.principal,
      operation: p.operation,
      modelId: p.modelId,
      pii: p.prompt.pii,
      guard,
      logged,
      record,
      ...(p.unguardedReason ? { unguardedReason: p.unguardedReason } : {}),
    };
  });
}

/** The CloudTrail management event of each runtime call (also after logging was deleted). */
export function invocationEvents(invocations: readonly Invocation[]): CtSpec[] {
  const tr = templateTraits('bedrock-invoke-model');
  return invocations.map((inv) => ({
    time: inv.time,
    account: inv.account,
    region: inv.region,
    eventSource: 'bedrock.amazonaws.com',
    eventName: inv.operation,
    principal: inv.principal,
    readOnly: true,
    requestParameters: { modelId: inv.modelId },
    responseElements: null,
    requestId: inv.requestId,
    eventId: inv.eventId,
    host: `bedrock-runtime.${inv.region}.amazonaws.com`,
    eventVersion: tr.eventVersion,
    tls: tr.tls,
  }));
}

export interface LogFile {
  readonly rel: string;
  readonly content: string;
  readonly mtimeMs: number;
  readonly records: number;
}

/** Groups logged records into one JSON Lines file per account and hour, as Bedrock delivers to S3. */
export function invocationLogFiles(invocations: readonly Invocation[]): LogFile[] {
  const groups = new Map<string, Invocation[]>();
  for (const inv of invocations) {
    if (!inv.logged) continue;
    const hour = Math.floor(inv.time / 3_600_000);
    const key = `${inv.account}|${hour}`;
    const g = groups.get(key) ?? [];
    g.push(inv);
    groups.set(key, g);
  }
  const names = fixedStream('bedrock:file-names');
  const out: LogFile[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = (groups.get(key) ?? []).sort((a, b) => a.time - b.time);
    const first = g[0];
    const last = g[g.length - 1];
    if (!first || !last) continue;
    const hourStart = Math.floor(first.time / 3_600_000) * 3_600_000;
    const delivered = Math.min(last.time + 90_000, hourStart + 3_599_000);
    const d = new Date(hourStart);
    const dir = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCHours()).padStart(2, '0')}`;
    const rel = `AWSLogs/${first.account}/BedrockModelInvocationLogs/${EU}/${dir}/${compactSecond(delivered)}_${names.hex(16)}.json.gz`;
    out.push({
      rel,
      content: g.map((i) => JSON.stringify(i.record)).join('\n') + '\n',
      mtimeMs: delivered,
      records: g.length,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// CLI outputs

export function loggingConfiguration(account: string, region: string): JsonObject {
  if (account !== PROD) return {};
  const bucket = region === EU ? 'northwind-bedrock-logs' : 'northwind-bedrock-logs-us-east-1';
  return {
    loggingConfig: {
      cloudWatchConfig: {
        logGroupName: '/aws/bedrock/modelinvocations',
        roleArn: `arn:aws:iam::${PROD}:role/service-role/BedrockInvocationLogging`,
        largeDataDeliveryS3Config: { bucketName: bucket, keyPrefix: 'large-data' },
      },
      s3Config: { bucketName: bucket },
      textDataDeliveryEnabled: true,
      imageDataDeliveryEnabled: false,
      embeddingDataDeliveryEnabled: false,
      videoDataDeliveryEnabled: false,
    },
  };
}

export function prodGuardrail(): JsonObject {
  const g = GUARDRAILS.prod;
  return {
    name: g.name,
    guardrailId: g.id,
    guardrailArn: `arn:aws:bedrock:${EU}:${PROD}:guardrail/${g.id}`,
    version: g.version,
    status: 'READY',
    description: 'PII and content filters for the member support assistant',
    contentPolicy: {
      filters: [
        { type: 'SEXUAL', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        { type: 'VIOLENCE', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        { type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        { type: 'INSULTS', inputStrength: 'MEDIUM', outputStrength: 'HIGH' },
        { type: 'MISCONDUCT', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' },
      ],
    },
    wordPolicy: { words: [], managedWordLists: [{ type: 'PROFANITY' }] },
    sensitiveInformationPolicy: {
      piiEntities: [
        { type: 'EMAIL', action: 'ANONYMIZE' },
        { type: 'PHONE', action: 'ANONYMIZE' },
        { type: 'CREDIT_DEBIT_CARD_NUMBER', action: 'BLOCK' },
        { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
      ],
      regexes: [],
    },
    createdAt: cliTime(Date.UTC(2026, 4, 12, 9, 31, 4, 512)),
    updatedAt: cliTime(Date.UTC(2026, 8, 2, 15, 7, 48, 90)),
    statusReasons: [],
    failureRecommendations: [],
    blockedInputMessaging: BLOCKED_MESSAGE,
    blockedOutputsMessaging: 'Sorry, the assistant can not answer that question.',
    kmsKeyArn: kmsArn(PROD, EU, KMS.prodEu),
  };
}
