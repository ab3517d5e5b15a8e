/**
 * Building single CloudTrail records in the order CloudTrail writes their fields.
 */
import { fixedStream, type Rng } from './rng.js';
import { isoZ, type Principal } from './common.js';

export type JsonObject = Record<string, unknown>;

export interface CtResource {
  readonly ARN: string;
  readonly accountId?: string;
  readonly type: string;
}

export interface CtSpec {
  readonly time: number;
  readonly account: string;
  /** The region whose log file gets the event (also `awsRegion`). */
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principal: Principal;
  readonly requestParameters?: unknown;
  readonly responseElements?: unknown;
  readonly readOnly: boolean;
  readonly resources?: readonly CtResource[];
  readonly category?: 'Management' | 'Data';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly additionalEventData?: JsonObject;
  readonly requestId?: string;
  readonly eventId?: string;
  /** `clientProvidedHostHeader`; null for events without tlsDetails (AWS-service calls). */
  readonly host?: string | null;
  readonly tls?: { readonly tlsVersion: string; readonly cipherSuite: string };
  readonly eventVersion?: string;
  readonly apiVersion?: string;
  readonly sessionCredentialFromConsole?: boolean;
  /** When the caller is an AWS service acting for the principal (e.g. `sagemaker.amazonaws.com`). */
  readonly invokedBy?: string;
}

const accessKeys = new Map<string, string>();

function accessKeyOf(p: Principal, time: number): string {
  const day = Math.floor(time / 86_400_000);
  const k = p.type === 'IAMUser' ? p.arn : `${p.arn}@${day}`;
  let v = accessKeys.get(k);
  if (v === undefined) {
    v = `${p.type === 'IAMUser' ? 'AKIA' : 'ASIA'}${fixedStream(`access-key:${k}`).upperAlnum(16)}`;
    accessKeys.set(k, v);
  }
  return v;
}

export function userIdentity(p: Principal, time: number, invokedBy?: string): JsonObject {
  if (p.type === 'AWSService') return { type: 'AWSService', invokedBy: p.service };
  if (p.type === 'IAMUser') {
    return {
      type: 'IAMUser',
      principalId: p.principalId,
      arn: p.arn,
      accountId: p.account,
      accessKeyId: accessKeyOf(p, time),
      userName: p.userName,
    };
  }
  const sessionStart = Math.floor(time / 3_600_000) * 3_600_000;
  const id: JsonObject = {
    type: 'AssumedRole',
    principalId: p.principalId,
    arn: p.arn,
    accountId: p.account,
    accessKeyId: accessKeyOf(p, time),
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: p.roleId,
        arn: `arn:aws:iam::${p.account}:role/${p.rolePath ?? ''}${p.roleName ?? ''}`,
        accountId: p.account,
        userName: p.roleName,
      },
      attributes: { creationDate: isoZ(sessionStart), mfaAuthenticated: p.mfa ? 'true' : 'false' },
    },
  };
  if (invokedBy) id['invokedBy'] = invokedBy;
  return id;
}

const DEFAULT_TLS = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' } as const;

/** Default `clientProvidedHostHeader` for a service in a region. */
export function hostFor(eventSource: string, region: string): string {
  const svc = eventSource.replace('.amazonaws.com', '');
  if (svc === 'iam') return 'iam.amazonaws.com';
  if (svc === 's3') return `s3.${region}.amazonaws.com`;
  if (svc === 'sagemaker') return `api.sagemaker.${region}.amazonaws.com`;
  return `${svc}.${region}.amazonaws.com`;
}

/** A CloudTrail record with the field order CloudTrail uses in delivered log files. */
export function buildEvent(spec: CtSpec, rng: Rng): JsonObject {
  const p = spec.principal;
  const isS3 = spec.eventSource === 's3.amazonaws.com';
  const requestID = spec.requestId ?? (isS3 ? rng.upperAlnum(16) : rng.uuid());
  const eventID = spec.eventId ?? rng.uuid();
  const e: JsonObject = {
    eventVersion: spec.eventVersion ?? (isS3 && spec.category === 'Data' ? '1.10' : '1.11'),
    userIdentity: userIdentity(p, spec.time, spec.invokedBy),
    eventTime: isoZ(spec.time),
    eventSource: spec.eventSource,
    eventName: spec.eventName,
    awsRegion: spec.region,
    sourceIPAddress: spec.invokedBy ?? p.sourceIp,
    userAgent: spec.invokedBy ?? p.userAgent,
  };
  if (spec.errorCode !== undefined) e['errorCode'] = spec.errorCode;
  if (spec.errorMessage !== undefined) e['errorMessage'] = spec.errorMessage;
  e['requestParameters'] = spec.requestParameters ?? null;
  e['responseElements'] = spec.responseElements ?? null;
  if (spec.additionalEventData !== undefined) e['additionalEventData'] = spec.additionalEventData;
  e['requestID'] = requestID;
  e['eventID'] = eventID;
  e['readOnly'] = spec.readOnly;
  if (spec.resources !== undefined) e['resources'] = spec.resources;
  e['eventType'] = 'AwsApiCall';
  if (spec.apiVersion !== undefined) e['apiVersion'] = spec.apiVersion;
  e['managementEvent'] = (spec.category ?? 'Management') === 'Management';
  e['recipientAccountId'] = spec.account;
  e['eventCategory'] = spec.category ?? 'Management';
  const host = spec.host === undefined ? hostFor(spec.eventSource, spec.region) : spec.host;
  if (host !== null && p.type !== 'AWSService' && spec.invokedBy === undefined) {
    const tls = spec.tls ?? DEFAULT_TLS;
    e['tlsDetails'] = { tlsVersion: tls.tlsVersion, cipherSuite: tls.cipherSuite, clientProvidedHostHeader: host };
  }
  if (spec.sessionCredentialFromConsole ?? p.console) e['sessionCredentialFromConsole'] = 'true';
  return e;
}
