import type { Estate } from './estate.js';

/** An AWS error response: the code goes into the protocol's error slot (`__type`, `x-amzn-ErrorType`, XML `Code`). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export interface Principal {
  readonly accessKeyId: string;
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

/** What a service handler gets for one request. */
export interface CallContext {
  readonly service: string;
  readonly operation: string;
  readonly account: string;
  readonly region: string;
  readonly principal: Principal;
  readonly estate: Estate;
  /** Base URL of the fake (`http://127.0.0.1:PORT`), for presigned URLs it hands out. */
  readonly baseUrl: string;
  /** Registers a one-off download the fake serves at the returned presigned URL. */
  presign(body: Buffer, contentType: string): string;
}

/**
 * A JSON operation handler: input keyed by member names (restJson1 labels, query and body merged), output as AWS
 * CLI JSON (member names; times in any form the CLI prints). The server serializes the output to the wire format
 * of the protocol, validates it against the Smithy output shape, and splits paginated lists into pages.
 */
export type JsonHandler = (input: Record<string, unknown>, ctx: CallContext) => unknown;

export type Fault =
  /** The protocol's throttling error: ThrottlingException (awsJson 400, restJson 429), SlowDown (S3 503), Throttling (STS 400). */
  | { readonly type: 'throttle' }
  /** TooManyRequestsException, HTTP 429. */
  | { readonly type: 'tooManyRequests' }
  /** InternalFailure 500 / ServiceUnavailable 503. */
  | { readonly type: 'server'; readonly status: 500 | 503 }
  /** AccessDenied(Exception), HTTP 403, in the service's error shape. */
  | { readonly type: 'accessDenied' }
  /** Answers normally after a delay. */
  | { readonly type: 'slow'; readonly ms: number }
  /** Sends the status line, headers and half the body, then resets the connection. */
  | { readonly type: 'reset' };

export interface FaultRule {
  /** SigV4 service name (`config`, `cloudtrail`, `s3`, `sts`, `artifact`, ...). */
  readonly service: string;
  /** Operation name (`DescribeConfigRules`, `ListObjectsV2`, `GetObject`, `AssumeRole`, `DownloadReport`); `*` = any. */
  readonly operation: string;
  readonly account?: string;
  readonly region?: string;
  readonly fault: Fault;
  /** How many matching requests get the fault (default: all of them). */
  readonly times?: number;
  /** Matching requests to let through before the first fault (default 0). */
  readonly after?: number;
  /**
   * Probability (0-1) that a matching request gets the fault (default 1), drawn from the fake's seeded generator
   * (`faultSeed`), so a run with the same requests in the same order gets the same faults.
   */
  readonly chance?: number;
}
