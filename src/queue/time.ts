/** Time helpers of the schedules: months in a time zone, compact instants for run ids. */

/** The calendar parts of an instant in a time zone. */
export function partsIn(
  at: Date,
  tz: string,
): { year: number; month: number; day: number; hour: number; minute: number } {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const get = (type: string): number => Number(f.formatToParts(at).find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** The month before the one `at` falls in, in `tz` (`YYYY-MM`): what a pack fired on the 1st covers. */
export function previousMonth(at: Date, tz: string): string {
  const { year, month } = partsIn(at, tz);
  const y = month === 1 ? year - 1 : year;
  const m = month === 1 ? 12 : month - 1;
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** `2026-11-01T02:00:00.000Z` → `20261101T020000Z` (safe in job ids). */
export function compactTime(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}
