/**
 * Feed dates in the wild: RFC 822 and its sloppy variants, W3CDTF/ISO 8601 (and MS SQL's space
 * separated form), asctime, Perforce, and a few localized forms (Korean, Greek, Hungarian).
 * Each parser either understands the whole string or declines; the first that understands wins.
 */

const ZONES: ReadonlyMap<string, number> = new Map([
  ['ut', 0],
  ['utc', 0],
  ['gmt', 0],
  ['z', 0],
  ['adt', -3],
  ['ast', -4],
  ['at', -4],
  ['edt', -4],
  ['est', -5],
  ['et', -5],
  ['cdt', -5],
  ['cst', -6],
  ['ct', -6],
  ['mdt', -6],
  ['mst', -7],
  ['mt', -7],
  ['pdt', -7],
  ['pst', -8],
  ['pt', -8],
  ['a', -1],
  ['n', 1],
  ['m', -12],
  ['y', 12],
  ['met', 1],
  ['mest', 2],
  ['cet', 1],
  ['cest', 2],
  ['bst', 1],
]);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const GREEK_MONTHS: ReadonlyMap<string, string> = new Map([
  ['Ιαν', 'Jan'],
  ['Φεβ', 'Feb'],
  ['Μάώ', 'Mar'],
  ['Μαώ', 'Mar'],
  ['Απρ', 'Apr'],
  ['Μάι', 'May'],
  ['Μαϊ', 'May'],
  ['Μαι', 'May'],
  ['Ιούν', 'Jun'],
  ['Ιον', 'Jun'],
  ['Ιούλ', 'Jul'],
  ['Ιολ', 'Jul'],
  ['Αύγ', 'Aug'],
  ['Αυγ', 'Aug'],
  ['Σεπ', 'Sep'],
  ['Οκτ', 'Oct'],
  ['Νοέ', 'Nov'],
  ['Νοε', 'Nov'],
  ['Δεκ', 'Dec'],
]);
const GREEK_DAYS: ReadonlyMap<string, string> = new Map([
  ['Κυρ', 'Sun'],
  ['Δευ', 'Mon'],
  ['Τρι', 'Tue'],
  ['Τετ', 'Wed'],
  ['Πεμ', 'Thu'],
  ['Παρ', 'Fri'],
  ['Σαβ', 'Sat'],
]);
const HUNGARIAN_MONTHS: ReadonlyMap<string, string> = new Map([
  ['január', '01'],
  ['februári', '02'],
  ['február', '02'],
  ['március', '03'],
  ['április', '04'],
  ['máujus', '05'],
  ['május', '05'],
  ['június', '06'],
  ['július', '07'],
  ['augusztus', '08'],
  ['szeptember', '09'],
  ['október', '10'],
  ['november', '11'],
  ['december', '12'],
]);

type Parser = (text: string) => string | null;

/**
 * Parses a feed date into ISO-8601 UTC (`2004-01-01T19:48:21Z`). Dates without a zone are taken
 * as UTC; dates without a time as midnight. Returns null for anything it cannot read whole or
 * that names an impossible instant (hour 25, day 99, year 10000). Never throws.
 */
export function parseFeedDate(text: string | null | undefined): string | null {
  if (!text) return null;
  const s = text.trim();
  if (s === '' || s.length > 100) return null;
  for (const parser of PARSERS) {
    const out = parser(s);
    if (out) return out;
  }
  return null;
}

const INT = /^[+-]?\d+$/;
const toInt = (s: string | undefined): number | null =>
  s !== undefined && INT.test(s) ? Number.parseInt(s, 10) : null;

/** Builds the instant from wall-clock fields and a zone offset in minutes, validating ranges. */
function instant(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  offsetMinutes: number,
): string | null {
  if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  if (y < 1 || y > 9999) return null;
  if (d > daysInMonth(y, mo)) return null;
  return fromFields(y, mo, d, h, mi - offsetMinutes, s);
}

function fromFields(y: number, mo: number, d: number, h: number, mi: number, s: number): string | null {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(mo) ? 30 : 31;
}

/** `+hh:mm`, `-hhmm`, `+hh` → minutes east of UTC; named zones; null when malformed. */
function zoneOffset(zone: string): number | null {
  if (zone === '') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return m[1] === '-' ? -minutes : minutes;
  }
  if (/^[+-]/.test(zone)) return null;
  return (ZONES.get(zone) ?? 0) * 60;
}

/** W3CDTF / RFC 3339, with date-only and MS SQL (`2004-07-08 23:56:58 -00:20`) forms. */
const parseW3dtf: Parser = (text) => {
  let parts = text.toLowerCase().split('t');
  if (parts.length === 1) {
    parts = parts[0].trim().split(/\s+/);
    if (parts.length === 1) parts.push('00:00:00z');
  } else if (parts.length > 2) return null;
  if (parts.length > 3) return null;
  const date = parts[0].split('-');
  if (date.length > 3 || date[0].length !== 4) return null;
  while (date.length < 3) date.push('1');
  const [y, mo, d] = date.map(toInt);
  if (y === null || mo === null || d === null) return null;
  let time = parts[1];
  let zone = parts[2] ?? '';
  if (parts.length === 2) {
    if (time.endsWith('z')) {
      time = time.slice(0, -1);
      zone = 'z';
    } else {
      const at = time.search(/[+-]/);
      if (at !== -1) {
        zone = time.slice(at);
        time = time.slice(0, at);
      }
    }
  }
  const hms = time.split(':');
  if (hms.length > 3) return null;
  while (hms.length < 3) hms.push('0');
  const [h, mi, s] = hms.map((p) => (/^\d+(\.\d*)?$/.test(p) ? Math.trunc(Number(p)) : null));
  const offset = zoneOffset(zone);
  if (h === null || mi === null || s === null || offset === null) return null;
  return instant(y, mo, d, h, mi, s, offset);
};

/** RFC 822/2822 with two-digit years, swapped day and month, missing time or zone, stray commas. */
const parseRfc822: Parser = (text) => {
  let parts = text.toLowerCase().split(/\s+/);
  if (parts.length < 5) parts.push('00:00:00', '0000');
  if (DAY_NAMES.has(parts[0].slice(0, 3))) {
    const first = parts[0];
    if (first.includes(',') && !first.endsWith(','))
      parts.splice(1, 0, first.slice(first.lastIndexOf(',') + 1));
    parts = parts.slice(1);
  }
  if (parts.length < 5) return null;
  const clean = (p: string) => p.replace(/,$/, '');
  let month = MONTHS.indexOf(parts[1].slice(0, 3)) + 1;
  let day = toInt(clean(parts[0]));
  if (day === null) {
    const swapped = MONTHS.indexOf(parts[0].slice(0, 3)) + 1;
    if (!swapped) return null;
    day = toInt(clean(parts[1]));
    if (day === null) return null;
    month = swapped;
  }
  if (!month) return null;
  const yearText = clean(parts[2]);
  let year = toInt(yearText);
  if (year === null) return null;
  if (yearText.length <= 2) year += year < 90 ? 2000 : 1900;
  const hms = parts[3].split(':');
  if (hms.length > 3) return null;
  while (hms.length < 3) hms.push('0');
  const [h, mi, s] = hms.map(toInt);
  if (h === null || mi === null || s === null) return null;
  let zone = parts[4];
  if (zone.startsWith('etc/')) zone = zone.slice(4);
  if (zone.startsWith('gmt') || zone.startsWith('utc')) zone = zone.slice(3) || 'gmt';
  const offset = zoneOffset(zone);
  if (offset === null) return null;
  return instant(year, month, day, h, mi, s, offset);
};

/** `Sun Jan  4 16:29:06 2004` and `Sun Jul 15 01:16:00 +0000 2012`. */
const parseAsctime: Parser = (text) => {
  const parts = text.split(/\s+/);
  if (parts.length === 5) parts.splice(4, 0, '+0000');
  if (parts.length !== 6 || !DAY_NAMES.has(parts[0].slice(0, 3).toLowerCase())) return null;
  return parseRfc822([parts[0], parts[2], parts[1], parts[5], parts[3], parts[4]].join(' '));
};

/** Perforce: `Fri, 2006/09/15 08:19:53 EDT`. */
const parsePerforce: Parser = (text) => {
  const m = /^(\w{0,3}), (\d{1,4})\/(\d{1,2})\/(\d{2}) (\d{1,2}):(\d{2}):(\d{2}) (\w+)$/.exec(text);
  if (!m) return null;
  const month = MONTHS[Number(m[3]) - 1];
  if (!month) return null;
  return parseRfc822(`${m[1]}, ${m[4]} ${month} ${m[2]} ${m[5]}:${m[6]}:${m[7]} ${m[8]}`);
};

/** ISO 8601 compact and truncated forms feeds use: `031231`, `-03-12`, `2003-012-31`, ordinals. */
const ISO_TEMPLATES = [
  'YYYY-?MM-?DD',
  'YYYY-0MM?-?DD',
  'YYYY-MM',
  'YYYY-?OOO',
  'YY-?MM-?DD',
  'YYYY',
  '-YY-?MM',
  '-OOO',
  '-YY',
  '--MM-?DD',
  '--MM',
  '---DD',
].map(
  (t) =>
    new RegExp(
      `^${t
        .replace('YYYY', '(?<year>\\d{4})')
        .replace('YY', '(?<year>\\d\\d)')
        .replace('MM', '(?<month>[01]\\d)')
        .replace('DD', '(?<day>[0123]\\d)')
        .replace('OOO', '(?<ordinal>[0123]\\d\\d)')}` +
        '(?:T?(?<hour>\\d{2}):(?<minute>\\d{2})(?::(?<second>\\d{2}))?(?:\\.\\d+)?(?<tz>[+-](?<tzhour>\\d{2})(?::?(?<tzmin>\\d{2}))?|Z)?)?$',
    ),
);

const parseIso8601: Parser = (text) => {
  for (const re of ISO_TEMPLATES) {
    const m = re.exec(text);
    if (!m?.groups) continue;
    const g = m.groups;
    const now = new Date();
    const ordinal = g.ordinal ? Number(g.ordinal) : 0;
    let year = now.getUTCFullYear();
    if (g.year?.length === 2) year = 100 * Math.floor(year / 100) + Number(g.year);
    else if (g.year) year = Number(g.year);
    const month = g.month ? Number(g.month) : ordinal ? 1 : g.year ? 1 : now.getUTCMonth() + 1;
    const day = g.day ? Number(g.day) : ordinal || (g.year || g.month ? 1 : now.getUTCDate());
    const h = Number(g.hour ?? 0);
    const mi = Number(g.minute ?? 0);
    const s = Number(g.second ?? 0);
    if (month < 1 || month > 12 || h > 23 || mi > 59 || s > 59) return null;
    if (ordinal ? ordinal < 1 || ordinal > 366 : day < 1 || day > daysInMonth(year, month)) return null;
    let offset = 0;
    if (g.tz && g.tz !== 'Z') {
      offset = Number(g.tzhour) * 60 + Number(g.tzmin ?? 0);
      if (g.tz[0] === '-') offset = -offset;
    }
    return fromFields(year, month, day, h, mi - offset, s);
  }
  return null;
};

/** Hungarian: `2004-július-13T9:15-05:00`. */
const parseHungarian: Parser = (text) => {
  const m = /^(\d{4})-([^-]+)-(\d{1,2})T(\d{1,2}):(\d{2})([+-]\d{1,2}:\d{2})$/.exec(text);
  const month = m ? HUNGARIAN_MONTHS.get(m[2].toLowerCase()) : undefined;
  if (!m || !month) return null;
  return parseW3dtf(`${m[1]}-${month}-${m[3].padStart(2, '0')}T${m[4].padStart(2, '0')}:${m[5]}${m[6]}`);
};

/** Greek: `Κυρ, 11 Ιούλ 2004 12:00:00 EST`. */
const parseGreek: Parser = (text) => {
  const m = /^([^,]+),\s+(\d{2})\s+(\S+)\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(\S+)$/.exec(text);
  if (!m) return null;
  const day = GREEK_DAYS.get(m[1]);
  const month = GREEK_MONTHS.get(m[3]);
  if (!day || !month) return null;
  return parseRfc822(`${day}, ${m[2]} ${month} ${m[4]} ${m[5]}:${m[6]}:${m[7]} ${m[8]}`);
};

/** Korean portals: Nate `2004-05-25 오후 11:23:17`, OnBlog `2004년 05월 28일  01:31:15` (KST). */
const parseKorean: Parser = (text) => {
  const nate = /^(\d{4})-(\d{2})-(\d{2})\s+(오전|오후)\s+(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text);
  if (nate) {
    let hour = Number(nate[5]);
    if (nate[4] === '오후' && hour < 12) hour += 12;
    return instant(+nate[1], +nate[2], +nate[3], hour, +nate[6], +nate[7], 9 * 60);
  }
  const onblog = /^(\d{4})년\s+(\d{2})월\s+(\d{2})일\s+(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (onblog) return instant(+onblog[1], +onblog[2], +onblog[3], +onblog[4], +onblog[5], +onblog[6], 9 * 60);
  return null;
};

const PARSERS: readonly Parser[] = [
  parseW3dtf,
  parseRfc822,
  parseAsctime,
  parseIso8601,
  parsePerforce,
  parseHungarian,
  parseGreek,
  parseKorean,
];
