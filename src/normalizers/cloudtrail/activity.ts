import type { ContentOf } from '../../evidence/content.js';
import { isAiSource } from './classify.js';
import type { ParsedEvent } from './event.js';

export type CloudTrailActivityContent = ContentOf<'cloudtrail.activity'>;

/**
 * Aggregates the CloudTrail events of one account/region/day in constant memory per distinct key (operations,
 * principals), whatever the number of events. CloudTrail may deliver an event twice; duplicates (same eventID)
 * are counted once.
 */
export class ActivityAggregator {
  private readonly seen = new Set<string>();
  private totalEvents = 0;
  private errorEvents = 0;
  private files = 0;
  /** eventSource → eventName → count: two lookups of strings the scanner made, no concatenated key per event. */
  private readonly byOperation = new Map<string, Map<string, number>>();
  private readonly byPrincipal = new Map<string, number>();
  private readonly aiCalls = new Map<string, number>();

  constructor(readonly day: string) {}

  addFile(): void {
    this.files += 1;
  }

  /** Returns false when the event was already counted. */
  add(ev: ParsedEvent): boolean {
    return this.addFields(ev.eventId, ev.eventSource, ev.eventName, ev.principalKey, ev.errorCode);
  }

  /** `add` from the fields alone, for the byte-scanning ingest path, which builds no ParsedEvent per record. */
  addFields(eventId: string, eventSource: string, eventName: string, principalKey: string, errorCode: string | null): boolean {
    if (this.seen.has(eventId)) return false;
    this.seen.add(eventId);
    this.totalEvents += 1;
    if (errorCode) this.errorEvents += 1;
    let names = this.byOperation.get(eventSource);
    if (!names) this.byOperation.set(eventSource, (names = new Map<string, number>()));
    bump(names, eventName);
    bump(this.byPrincipal, principalKey);
    if (isAiSource(eventSource)) bump(this.aiCalls, `${principalKey}|${eventSource}|${eventName}`);
    return true;
  }

  get eventCount(): number {
    return this.totalEvents;
  }

  result(): CloudTrailActivityContent {
    return {
      day: this.day,
      totalEvents: this.totalEvents,
      errorEvents: this.errorEvents,
      files: this.files,
      byOperation: sorted(new Map([...this.byOperation].flatMap(([source, names]) => [...names].map(([name, n]) => [`${source}|${name}`, n] as const)))),
      byPrincipal: sorted(this.byPrincipal),
      aiCalls: sorted(this.aiCalls),
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function sorted(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key) ?? 0;
  return out;
}

export function dayWindow(day: string): { type: 'window'; start: string; end: string } {
  const start = new Date(`${day}T00:00:00.000Z`);
  return { type: 'window', start: start.toISOString(), end: new Date(start.getTime() + 86_400_000).toISOString() };
}
