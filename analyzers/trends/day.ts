const MS_PER_DAY = 86_400_000;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Days since 1970-01-01 (UTC) of a `YYYY-MM-DD` string. Throws on any other shape. */
export function dayNumber(day: string): number {
  if (!DAY_PATTERN.test(day)) throw new Error(`not a YYYY-MM-DD day: ${day}`);
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / MS_PER_DAY);
}

/** `YYYY-MM-DD` (UTC) of a day number from {@link dayNumber}. */
export function dayString(n: number): string {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** UTC day of an instant; throws on an unparseable date. */
export function dayOf(at: string | Date): string {
  if (typeof at === 'string' && at.length >= 10 && at.charCodeAt(10) === 84 /* T */ && at.endsWith('Z')) {
    return at.slice(0, 10);
  }
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new Error(`unparseable date: ${String(at)}`);
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `delta` days after `day`. */
export function addDays(day: string, delta: number): string {
  return dayString(dayNumber(day) + delta);
}
