/**
 * What an AWS failure means for evidence. The category decides two things: whether to retry (throttling, 5xx,
 * network) and how the gap is recorded (`error` item with the code, or `not_applicable` with the reason).
 * An AWS error is data, never an empty list.
 */
export type AwsErrorCategory =
  | 'access_denied'
  | 'not_subscribed'
  | 'unavailable_in_region'
  | 'not_found'
  | 'throttled'
  | 'server'
  | 'network'
  | 'validation'
  | 'other';

export interface ClassifiedError {
  readonly category: AwsErrorCategory;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthorizationError', 'Forbidden']);
const NOT_SUBSCRIBED = new Set(['SubscriptionRequiredException', 'OptInRequired', 'NoSuchConfigurationRecorderException', 'InsufficientDeliveryPolicyException']);
const UNAVAILABLE = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'UnsupportedOperationException', 'UnknownEndpoint']);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'ResourceNotFound', 'NoSuchKey', 'NoSuchBucket', 'NotFound', 'TrailNotFoundException', 'NoSuchConfigRuleException', 'NoSuchConformancePackException']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  cause?: unknown;
}

export function classifyAwsError(err: unknown): ClassifiedError {
  const e = (err ?? {}) as SdkLikeError;
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : 'UnknownError';
  const message = typeof e.message === 'string' && e.message ? e.message : name;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : null;
  const requestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId : null;
  const cause = (e.cause ?? {}) as SdkLikeError;
  const netCode = typeof e.code === 'string' ? e.code : typeof cause.code === 'string' ? cause.code : null;
  const base = { code: name, message, httpStatus: status, requestId };

  if (ACCESS_DENIED.has(name) || (status === 403 && !UNAVAILABLE.has(name))) return { ...base, category: 'access_denied', retryable: false };
  if (NOT_SUBSCRIBED.has(name)) return { ...base, category: 'not_subscribed', retryable: false };
  if (UNAVAILABLE.has(name) || netCode === 'ENOTFOUND') {
    return { ...base, code: netCode === 'ENOTFOUND' ? 'EndpointNotFound' : name, category: 'unavailable_in_region', retryable: false };
  }
  if (THROTTLED.has(name) || status === 429) return { ...base, category: 'throttled', retryable: true };
  if (NOT_FOUND.has(name) || status === 404) return { ...base, category: 'not_found', retryable: false };
  if ((netCode && NETWORK.has(netCode)) || NETWORK.has(name)) return { ...base, code: netCode ?? name, category: 'network', retryable: true };
  if (e.$fault === 'server' || (status !== null && status >= 500)) return { ...base, category: 'server', retryable: true };
  if (name === 'ValidationException' || name === 'InvalidParameterValueException' || name === 'InvalidParameterException' || status === 400) {
    return { ...base, category: 'validation', retryable: false };
  }
  return { ...base, category: 'other', retryable: false };
}

/** Raised inside collectors when a call failed for good; carries the classification for the evidence item. */
export class CollectionFailure extends Error {
  constructor(
    readonly operation: string,
    readonly classified: ClassifiedError,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${classified.code}: ${classified.message}`, options);
    this.name = 'CollectionFailure';
  }

  get retryable(): boolean {
    return this.classified.retryable;
  }
}
