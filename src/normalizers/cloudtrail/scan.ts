import { isUtf8 } from 'node:buffer';

/**
 * A validating byte scanner for CloudTrail log files (`{"Records":[event, ...]}`), for the ingest hot path.
 *
 * `JSON.parse` of a whole file builds every record as an object, although the daily aggregate needs only a handful
 * of fields per record and only a few records are kept as evidence. This scanner walks the bytes once, checks the
 * whole document against the JSON grammar (so it accepts exactly what `JSON.parse` would, or gives up), and for each
 * record reports its byte span and where the few aggregate fields are, without building an object per record.
 *
 * It is sound, not complete: whenever it is not sure it answers `null` (the caller then uses the plain
 * `JSON.parse` path for the file) or marks the record `unusual` (the caller parses that record's slice in full).
 * Every value it reports is the one `JSON.parse` would give, including for duplicate keys (the last one wins).
 */

/** Where a captured value is: its kind and, for strings, the span of its contents (between the quotes). */
export const Kind = { Absent: 0, String: 1, True: 2, False: 3, Object: 4, Other: 5 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** One captured field. `escaped`: the string holds a backslash escape; `wide`: it holds non-ASCII bytes. */
export class Field {
  kind: Kind = Kind.Absent;
  start = 0;
  end = 0;
  escaped = false;
  wide = false;
  reset(): void {
    this.kind = Kind.Absent;
  }
}

/** The fields of the record being visited; reused for every record (no object per record). */
export class RecordFields {
  readonly eventID = new Field();
  readonly eventTime = new Field();
  readonly eventSource = new Field();
  readonly eventName = new Field();
  readonly awsRegion = new Field();
  readonly errorCode = new Field();
  readonly readOnly = new Field();
  /** userIdentity itself (Object when it is a JSON object) and the members the principal key is built from. */
  readonly userIdentity = new Field();
  readonly uiType = new Field();
  readonly uiArn = new Field();
  readonly uiInvokedBy = new Field();
  readonly issuerArn = new Field();
  /** Something the scanner does not model (a non-object record, an escaped key, an array identity): parse in full. */
  unusual = false;

  reset(): void {
    this.eventID.reset();
    this.eventTime.reset();
    this.eventSource.reset();
    this.eventName.reset();
    this.awsRegion.reset();
    this.errorCode.reset();
    this.readOnly.reset();
    this.resetIdentity();
    this.unusual = false;
  }

  resetIdentity(): void {
    this.userIdentity.reset();
    this.uiType.reset();
    this.uiArn.reset();
    this.uiInvokedBy.reset();
    this.issuerArn.reset();
  }
}

/** Called once per element of `Records`, in order; `start`/`end` is the element's byte span. */
export type RecordVisitor = (index: number, start: number, end: number, fields: RecordFields) => void;

/** Thrown inside the scan to abandon it: the document is not something the scanner can vouch for. */
class Unsure extends Error {}
const UNSURE = new Unsure('unsure');

// Byte constants.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Keys as bytes, compared against the raw key bytes (keys with escapes never match: the record is `unusual`). */
const K = (s: string): Buffer => Buffer.from(s, 'latin1');
const RECORDS = K('Records');
const EVENT_ID = K('eventID');
const EVENT_TIME = K('eventTime');
const EVENT_SOURCE = K('eventSource');
const EVENT_NAME = K('eventName');
const AWS_REGION = K('awsRegion');
const ERROR_CODE = K('errorCode');
const READ_ONLY = K('readOnly');
const USER_IDENTITY = K('userIdentity');
const TYPE = K('type');
const ARN = K('arn');
const INVOKED_BY = K('invokedBy');
const SESSION_CONTEXT = K('sessionContext');
const SESSION_ISSUER = K('sessionIssuer');

/** True for hex digits. */
function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

class Scanner {
  private pos = 0;
  /** Flags of the last string scanned. */
  private escaped = false;
  private wide = false;
  private strStart = 0;
  private strEnd = 0;
  private readonly fields = new RecordFields();

  constructor(
    private readonly b: Buffer,
    private readonly maxDepth: number,
  ) {}

  /** Whole document: `{ ..., "Records": [ ... ], ... }`, exactly one unescaped Records key. */
  run(visit: RecordVisitor): number {
    const b = this.b;
    // TextDecoder (the plain path) drops a leading byte order mark before JSON.parse sees the text.
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    this.ws();
    if (b[this.pos] !== LBRACE) throw UNSURE;
    this.pos++;
    let records = -1;
    this.ws();
    if (b[this.pos] === RBRACE) throw UNSURE;
    for (;;) {
      this.ws();
      this.key();
      if (this.escaped) throw UNSURE;
      if (this.keyIs(RECORDS)) {
        if (records >= 0) throw UNSURE;
        this.ws();
        if (b[this.pos] !== LBRACKET) throw UNSURE;
        records = this.records(visit);
      } else {
        this.value(2);
      }
      this.ws();
      const c = b[this.pos];
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c === RBRACE) {
        this.pos++;
        break;
      }
      throw UNSURE;
    }
    this.ws();
    if (this.pos !== b.length || records < 0) throw UNSURE;
    return records;
  }

  private records(visit: RecordVisitor): number {
    const b = this.b;
    const f = this.fields;
    this.pos++; // [
    if (2 > this.maxDepth) throw UNSURE;
    this.ws();
    if (b[this.pos] === RBRACKET) {
      this.pos++;
      return 0;
    }
    let n = 0;
    for (;;) {
      this.ws();
      const start = this.pos;
      f.reset();
      if (b[start] === LBRACE) this.record();
      else {
        f.unusual = true;
        this.value(3);
      }
      visit(n, start, this.pos, f);
      n++;
      this.ws();
      const c = b[this.pos];
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c === RBRACKET) {
        this.pos++;
        return n;
      }
      throw UNSURE;
    }
  }

  /** A record object (depth 3): captures the aggregate fields, skips (and validates) the rest. */
  private record(): void {
    const b = this.b;
    const f = this.fields;
    if (3 > this.maxDepth) throw UNSURE;
    this.pos++;
    this.ws();
    if (b[this.pos] === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      this.key();
      if (this.escaped) f.unusual = true;
      this.ws();
      const len = this.strEnd - this.strStart;
      let target: Field | null = null;
      // Dispatch on length first: most keys match none of ours after one comparison.
      if (len === 9) {
        if (this.keyIs(EVENT_NAME)) target = f.eventName;
        else if (this.keyIs(EVENT_TIME)) target = f.eventTime;
        else if (this.keyIs(AWS_REGION)) target = f.awsRegion;
        else if (this.keyIs(ERROR_CODE)) target = f.errorCode;
      } else if (len === 11) {
        if (this.keyIs(EVENT_SOURCE)) target = f.eventSource;
      } else if (len === 7) {
        if (this.keyIs(EVENT_ID)) target = f.eventID;
      } else if (len === 8) {
        if (this.keyIs(READ_ONLY)) target = f.readOnly;
      } else if (len === 12 && this.keyIs(USER_IDENTITY)) {
        f.resetIdentity();
        if (b[this.pos] === LBRACE) {
          f.userIdentity.kind = Kind.Object;
          this.identity();
        } else {
          // Not an object: principalOf reads it as {} unless it is an array (typeof 'object'): leave both to JSON.parse.
          f.userIdentity.kind = Kind.Other;
          f.unusual = true;
          this.value(4);
        }
        this.afterMember(RBRACE);
        if (this.done) return;
        continue;
      }
      if (target) this.capture(target, 4);
      else this.value(4);
      this.afterMember(RBRACE);
      if (this.done) return;
    }
  }

  /** userIdentity (depth 4): type, arn, invokedBy, sessionContext.sessionIssuer.arn. */
  private identity(): void {
    const b = this.b;
    const f = this.fields;
    if (4 > this.maxDepth) throw UNSURE;
    this.pos++;
    this.ws();
    if (b[this.pos] === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      this.key();
      if (this.escaped) f.unusual = true;
      this.ws();
      if (this.keyIs(TYPE)) this.capture(f.uiType, 5);
      else if (this.keyIs(ARN)) this.capture(f.uiArn, 5);
      else if (this.keyIs(INVOKED_BY)) this.capture(f.uiInvokedBy, 5);
      else if (this.keyIs(SESSION_CONTEXT)) {
        f.issuerArn.reset();
        if (b[this.pos] === LBRACE) this.sessionContext();
        else {
          if (b[this.pos] === LBRACKET) f.unusual = true;
          this.value(5);
        }
      } else this.value(5);
      this.afterMember(RBRACE);
      if (this.done) return;
    }
  }

  private sessionContext(): void {
    const b = this.b;
    const f = this.fields;
    if (5 > this.maxDepth) throw UNSURE;
    this.pos++;
    this.ws();
    if (b[this.pos] === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      this.key();
      if (this.escaped) f.unusual = true;
      this.ws();
      if (this.keyIs(SESSION_ISSUER)) {
        f.issuerArn.reset();
        if (b[this.pos] === LBRACE) this.issuer();
        else {
          if (b[this.pos] === LBRACKET) f.unusual = true;
          this.value(6);
        }
      } else this.value(6);
      this.afterMember(RBRACE);
      if (this.done) return;
    }
  }

  private issuer(): void {
    const b = this.b;
    const f = this.fields;
    if (6 > this.maxDepth) throw UNSURE;
    this.pos++;
    this.ws();
    if (b[this.pos] === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      this.key();
      if (this.escaped) f.unusual = true;
      this.ws();
      if (this.keyIs(ARN)) this.capture(f.issuerArn, 7);
      else this.value(7);
      this.afterMember(RBRACE);
      if (this.done) return;
    }
  }

  /** Set by afterMember when the enclosing container closed. */
  private done = false;

  /** After a member's value: `,` (another member follows) or the closing bracket. */
  private afterMember(close: number): void {
    this.ws();
    const c = this.b[this.pos];
    if (c === COMMA) {
      this.pos++;
      this.done = false;
      return;
    }
    if (c === close) {
      this.pos++;
      this.done = true;
      return;
    }
    throw UNSURE;
  }

  /** A value whose kind (and string span) is recorded in `f`. `depth` is the depth a container value would have. */
  private capture(f: Field, depth: number): void {
    const c = this.b[this.pos];
    if (c === QUOTE) {
      this.string();
      f.kind = Kind.String;
      f.start = this.strStart;
      f.end = this.strEnd;
      f.escaped = this.escaped;
      f.wide = this.wide;
      return;
    }
    if (c === 0x74) f.kind = Kind.True;
    else if (c === 0x66) f.kind = Kind.False;
    else if (c === LBRACE) f.kind = Kind.Object;
    else f.kind = Kind.Other;
    this.value(depth);
  }

  /** A member key and its colon. */
  private key(): void {
    if (this.b[this.pos] !== QUOTE) throw UNSURE;
    this.string();
    this.ws();
    if (this.b[this.pos] !== COLON) throw UNSURE;
    this.pos++;
  }

  private keyIs(k: Buffer): boolean {
    const len = this.strEnd - this.strStart;
    if (len !== k.length || this.escaped) return false;
    const b = this.b;
    const s = this.strStart;
    for (let i = 0; i < len; i++) if (b[s + i] !== k[i]) return false;
    return true;
  }

  /** Any JSON value at `depth` (its depth if it is a container), validated and skipped. */
  private value(depth: number): void {
    const b = this.b;
    const c = b[this.pos];
    if (c === QUOTE) {
      this.string();
      return;
    }
    if (c === LBRACE || c === LBRACKET) {
      if (depth > this.maxDepth) throw UNSURE;
      const close = c === LBRACE ? RBRACE : RBRACKET;
      this.pos++;
      this.ws();
      if (b[this.pos] === close) {
        this.pos++;
        return;
      }
      for (;;) {
        this.ws();
        if (close === RBRACE) {
          this.key();
          this.ws();
        }
        this.value(depth + 1);
        this.ws();
        const d = b[this.pos];
        if (d === COMMA) {
          this.pos++;
          continue;
        }
        if (d === close) {
          this.pos++;
          return;
        }
        throw UNSURE;
      }
    }
    if (c === 0x74) return this.literal(0x74, 0x72, 0x75, 0x65, -1); // true
    if (c === 0x66) return this.literal(0x66, 0x61, 0x6c, 0x73, 0x65); // false
    if (c === 0x6e) return this.literal(0x6e, 0x75, 0x6c, 0x6c, -1); // null
    this.number();
  }

  private literal(a: number, b1: number, c: number, d: number, e: number): void {
    const b = this.b;
    const p = this.pos;
    if (b[p] !== a || b[p + 1] !== b1 || b[p + 2] !== c || b[p + 3] !== d) throw UNSURE;
    if (e >= 0) {
      if (b[p + 4] !== e) throw UNSURE;
      this.pos = p + 5;
    } else this.pos = p + 4;
  }

  /** JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private number(): void {
    const b = this.b;
    let p = this.pos;
    if (b[p] === 0x2d) p++;
    const d0 = b[p];
    if (d0 === 0x30) p++;
    else if (d0 !== undefined && d0 >= 0x31 && d0 <= 0x39) {
      p++;
      while (isDigit(b[p])) p++;
    } else throw UNSURE;
    if (b[p] === 0x2e) {
      p++;
      if (!isDigit(b[p])) throw UNSURE;
      while (isDigit(b[p])) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      if (!isDigit(b[p])) throw UNSURE;
      while (isDigit(b[p])) p++;
    }
    this.pos = p;
  }

  /**
   * A string starting at the quote under `pos`. Sets strStart/strEnd (contents), escaped, wide. Raw control
   * characters and malformed escapes are what JSON.parse rejects; UTF-8 validity was checked for the whole buffer.
   */
  private string(): void {
    const b = this.b;
    const len = b.length;
    let p = this.pos + 1;
    const start = p;
    let escaped = false;
    let wide = false;
    for (;;) {
      if (p >= len) throw UNSURE;
      const c = b[p]!;
      // Most string bytes are lower-case letters and digits: one comparison settles the letters.
      if (c > BACKSLASH) {
        if (c >= 0x80) wide = true;
        p++;
        continue;
      }
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        const e = b[p + 1];
        if (e === 0x75) {
          if (!isHex(b[p + 2] ?? 0) || !isHex(b[p + 3] ?? 0) || !isHex(b[p + 4] ?? 0) || !isHex(b[p + 5] ?? 0)) throw UNSURE;
          p += 6;
          continue;
        }
        // " \ / b f n r t
        if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          p += 2;
          continue;
        }
        throw UNSURE;
      }
      if (c < 0x20) throw UNSURE;
      if (c >= 0x80) wide = true;
      p++;
    }
    this.strStart = start;
    this.strEnd = p;
    this.escaped = escaped;
    this.wide = wide;
    this.pos = p + 1;
  }

  /** JSON whitespace: space, tab, line feed, carriage return. */
  private ws(): void {
    const b = this.b;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/**
 * Scans a whole inflated CloudTrail log file. Returns the number of records visited, or null when the document is
 * not one the scanner can vouch for (invalid JSON or UTF-8, nesting deeper than `maxDepth`, no or several
 * `Records` keys, a Records value that is not an array): the caller must then use the plain JSON.parse path, and
 * must discard whatever the visitor gathered.
 */
export function scanCloudTrailLog(bytes: Buffer, maxDepth: number, visit: RecordVisitor): number | null {
  if (!isUtf8(bytes)) return null;
  try {
    return new Scanner(bytes, maxDepth).run(visit);
  } catch (err) {
    if (err instanceof Unsure || err instanceof RangeError) return null;
    throw err;
  }
}

/** Node's Buffer has it (Buffer.prototype.latin1Slice); @types/node does not declare it. */
interface Latin1Slice {
  latin1Slice(start: number, end: number): string;
}

/** The string a captured String field holds, exactly as JSON.parse would give it. */
export function fieldString(bytes: Buffer, f: Field): string {
  if (f.escaped) return JSON.parse(bytes.toString('utf8', f.start - 1, f.end + 1)) as string;
  // latin1Slice is what toString('latin1') ends in, without its argument checks (one call per field per record).
  return f.wide ? bytes.toString('utf8', f.start, f.end) : (bytes as Buffer & Latin1Slice).latin1Slice(f.start, f.end);
}

/** A captured field as `typeof v === 'string' && v.length > 0` would see it: the string, or null. */
export function nonEmptyString(bytes: Buffer, f: Field): string | null {
  return f.kind === Kind.String && f.end > f.start ? fieldString(bytes, f) : null;
}

/** `nonEmptyString(bytes, f) !== null` without building the string (an escaped string is never empty either). */
export function isNonEmptyString(f: Field): boolean {
  return f.kind === Kind.String && f.end > f.start;
}

/** The decimal digit at `i`, or -100 (so that any sum with it is negative). Top level: no closure per record. */
function digitAt(bytes: Buffer, i: number): number {
  const c = bytes[i]!;
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : -100;
}

/**
 * Whether a captured eventTime is certainly a valid `toIsoInstant` input without building it: the form
 * `YYYY-MM-DDTHH:mm:ssZ` with month 01-12, day 01-31, hour 00-23, minute and second 00-59 (V8 accepts every such
 * string). Other forms are not rejected: the caller checks them with toIsoInstant itself.
 */
export function isPlainUtcSecond(bytes: Buffer, f: Field): boolean {
  if (f.kind !== Kind.String || f.escaped || f.end - f.start !== 20) return false;
  const s = f.start;
  if (bytes[s + 4] !== 0x2d || bytes[s + 7] !== 0x2d || bytes[s + 10] !== 0x54 || bytes[s + 13] !== 0x3a || bytes[s + 16] !== 0x3a || bytes[s + 19] !== 0x5a) return false;
  if (digitAt(bytes, s + 0) < 0 || digitAt(bytes, s + 1) < 0 || digitAt(bytes, s + 2) < 0 || digitAt(bytes, s + 3) < 0) return false;
  const month = digitAt(bytes, s + 5) * 10 + digitAt(bytes, s + 6);
  const day = digitAt(bytes, s + 8) * 10 + digitAt(bytes, s + 9);
  const hour = digitAt(bytes, s + 11) * 10 + digitAt(bytes, s + 12);
  const minute = digitAt(bytes, s + 14) * 10 + digitAt(bytes, s + 15);
  const second = digitAt(bytes, s + 17) * 10 + digitAt(bytes, s + 18);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}
