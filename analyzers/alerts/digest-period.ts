import type { DigestSchedule } from './validate-rule.ts';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): LocalParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: WEEKDAYS[p.weekday] ?? 1,
  };
}

/** The instant a local wall-clock time happens in `timeZone` (the later reading when DST repeats an hour). */
function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  tz: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = localParts(guess, tz);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    const next = guess + (wall - shown);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

/** The local calendar day `delta` days from the given one. */
function addDays(p: { year: number; month: number; day: number }, delta: number) {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + delta));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The latest digest period that has ended by `now`: `[start, end)`, where `end` is the most recent scheduled
 * send time at or before `now` (e.g. today 09:00 Europe/Berlin, or yesterday's if it is not 09:00 yet) and
 * `start` the one before it. Pure; DST-aware through Intl.
 */
export function digestPeriod(s: DigestSchedule, now: Date): { start: Date; end: Date } {
  const [hh, mm] = s.at.split(':').map(Number);
  const t = now.getTime();
  if (s.every === 'hourly') {
    let end = Math.floor(t / 60_000) * 60_000;
    for (let i = 0; i < 120 && localParts(end, s.timeZone).minute !== mm; i++) end -= 60_000;
    return { start: new Date(end - 3_600_000), end: new Date(end) };
  }
  const today = localParts(t, s.timeZone);
  const step = s.every === 'weekly' ? 7 : 1;
  for (let back = 0; back <= 8; back++) {
    const day = addDays(today, -back);
    if (s.every === 'weekly') {
      const weekday = ((((today.weekday - 1 - back) % 7) + 7) % 7) + 1;
      if (weekday !== s.weekday) continue;
    }
    const end = zonedToUtc(day.year, day.month, day.day, hh, mm, s.timeZone);
    if (end > t) continue;
    const prev = addDays(day, -step);
    return {
      start: new Date(zonedToUtc(prev.year, prev.month, prev.day, hh, mm, s.timeZone)),
      end: new Date(end),
    };
  }
  throw new Error(`no digest boundary found for ${JSON.stringify(s)}`);
}

/** How long one digest period lasts, roughly: bounds how far back a late digest looks. */
export function digestPeriodMs(s: DigestSchedule): number {
  return s.every === 'hourly' ? 3_600_000 : s.every === 'daily' ? 86_400_000 : 7 * 86_400_000;
}
