import type { ContentOf } from '../../evidence/content.js';
import { InvalidTimeError, toIsoInstant } from '../../util/time.js';
import { NormalizeError, describe } from '../types.js';
import { classifyEvent, eventTarget } from './classify.js';

export type CloudTrailEventContent = ContentOf<'cloudtrail.event'>;

/** The fields every CloudTrail record must have for auditpack to use it. */
export interface ParsedEvent {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly accountId: string | null;
  readonly principalKey: string;
  readonly errorCode: string | null;
  readonly record: Record<string, unknown>;
}

/**
 * Validates one CloudTrail record (from an S3 log file, or LookupEvents' `CloudTrailEvent` string parsed).
 * Throws NormalizeError naming `input` and the field at fault.
 */
export function parseEvent(record: unknown, input: string): ParsedEvent {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new NormalizeError(input, `record must be a JSON object, got ${describe(record)}`, 'UnknownShape');
  }
  const r = record as Record<string, unknown>;
  const str = (key: string): string => {
    const v = r[key];
    if (typeof v !== 'string' || v.length === 0) {
      throw new NormalizeError(input, `${key} is required and must be a non-empty string, got ${describe(v)}`, 'MissingField');
    }
    return v;
  };
  const eventId = str('eventID');
  let eventTime: string;
  try {
    eventTime = toIsoInstant(str('eventTime'));
  } catch (err) {
    if (err instanceof InvalidTimeError) {
      throw new NormalizeError(input, `eventTime of event ${eventId} is ${err.message}`, 'InvalidTime');
    }
    throw err;
  }
  const identity = principalOf(r['userIdentity']);
  return {
    eventId,
    eventTime,
    eventSource: str('eventSource'),
    eventName: str('eventName'),
    awsRegion: str('awsRegion'),
    accountId: typeof r['recipientAccountId'] === 'string' ? r['recipientAccountId'] : identity.accountId,
    principalKey: identity.issuerArn ?? identity.arn ?? `type:${identity.type}`,
    errorCode: typeof r['errorCode'] === 'string' ? r['errorCode'] : null,
    record: r,
  };
}

export function principalOf(userIdentity: unknown): CloudTrailEventContent['principal'] {
  const u = userIdentity !== null && typeof userIdentity === 'object' ? (userIdentity as Record<string, unknown>) : {};
  const issuer = (u['sessionContext'] as Record<string, unknown> | undefined)?.['sessionIssuer'] as Record<string, unknown> | undefined;
  const s = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
  return {
    type: s(u['type']) ?? 'Unknown',
    arn: s(u['arn']) ?? (s(u['invokedBy']) ? `service:${String(u['invokedBy'])}` : null),
    accountId: s(u['accountId']),
    issuerArn: s(issuer?.['arn']),
  };
}

/** Full content for an event worth keeping, or null when it only counts in the aggregate. */
export function eventContent(ev: ParsedEvent): CloudTrailEventContent | null {
  const r = ev.record;
  const readOnly = typeof r['readOnly'] === 'boolean' ? r['readOnly'] : null;
  const categories = classifyEvent(ev.eventSource, ev.eventName, readOnly, r['requestParameters']);
  if (categories.length === 0) return null;
  const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    eventId: ev.eventId,
    eventTime: ev.eventTime,
    eventSource: ev.eventSource,
    eventName: ev.eventName,
    awsRegion: ev.awsRegion,
    eventType: s(r['eventType']),
    readOnly,
    principal: principalOf(r['userIdentity']),
    sourceIPAddress: s(r['sourceIPAddress']),
    userAgent: s(r['userAgent']),
    errorCode: ev.errorCode,
    errorMessage: s(r['errorMessage']),
    categories,
    target: eventTarget(r['requestParameters']),
    requestParameters: r['requestParameters'] ?? null,
  };
}
