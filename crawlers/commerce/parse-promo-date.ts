const MONTHS: Record<string, number> = {};
const NAMES: [number, string[]][] = [
  [1, ['january', 'jan', 'janeiro', 'enero', 'janvier', 'janv', 'januar', 'jän', 'gennaio', 'gen', 'ene']],
  [2, ['february', 'feb', 'fevereiro', 'fev', 'febrero', 'février', 'févr', 'fevr', 'februar', 'febbraio']],
  [3, ['march', 'mar', 'março', 'marzo', 'mars', 'märz', 'marz']],
  [4, ['april', 'apr', 'abril', 'abr', 'avril', 'avr', 'aprile']],
  [5, ['may', 'maio', 'mayo', 'mai', 'maggio', 'mag']],
  [6, ['june', 'jun', 'junho', 'junio', 'juin', 'juni', 'giugno', 'giu']],
  [7, ['july', 'jul', 'julho', 'julio', 'juillet', 'juil', 'juli', 'luglio', 'lug']],
  [8, ['august', 'aug', 'agosto', 'ago', 'août', 'aout']],
  [9, ['september', 'sep', 'sept', 'setembro', 'set', 'septiembre', 'septembre', 'settembre']],
  [10, ['october', 'oct', 'outubro', 'out', 'octubre', 'octobre', 'oktober', 'okt', 'ottobre', 'ott']],
  [11, ['november', 'nov', 'novembro', 'noviembre', 'novembre']],
  [12, ['december', 'dec', 'dezembro', 'dez', 'diciembre', 'dic', 'décembre', 'déc', 'dezember', 'dicembre']],
];
for (const [n, names] of NAMES) for (const name of names) MONTHS[name] = n;
const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

/** Date phrasings, in the order tried. Each returns [year|null, month, day]. */
export const DATE_PATTERN = new RegExp(
  [
    String.raw`\d{4}-\d{1,2}-\d{1,2}`,
    String.raw`\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?`,
    String.raw`(?:${MONTH_ALT})\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?`,
    String.raw`\d{1,2}(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+)?(?:${MONTH_ALT})\.?(?:\s+(?:de\s+)?\d{4})?`,
  ].join('|'),
  'iu',
);

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Turns a promotion's date phrase ("Dec 3", "2026-12-03", "30/11", "3 de dezembro de 2026") into
 * an ISO date. Numeric day/month order follows the locale (month first only for en-US and
 * locales without a region that are plain "en"). Without a year, the next occurrence on or after
 * `reference` (minus a month of grace) is used; without a reference the result is the ISO 8601
 * yearless form "--MM-DD". Returns null for impossible dates.
 */
export function parsePromoDate(
  phrase: string,
  locale: string | null | undefined,
  reference: Date | null,
): string | null {
  const p = phrase.trim().toLowerCase();
  let year: number | null = null;
  let month: number;
  let day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(p);
  const m = /^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?$/.exec(p);
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (m) {
    const monthFirst = /^en(?:-us)?$/i.test(locale ?? 'en') && !p.includes('.');
    [month, day] = monthFirst ? [Number(m[1]), Number(m[2])] : [Number(m[2]), Number(m[1])];
    if (m[3]) year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  } else {
    const words = p
      .replace(/[.,]/g, ' ')
      .split(/\s+/)
      .filter((w) => w && w !== 'de');
    const mi = words.findIndex((w) => MONTHS[w] !== undefined);
    if (mi < 0) return null;
    month = MONTHS[words[mi]];
    const nums = words.filter((w) => /^\d/.test(w)).map((w) => Number.parseInt(w, 10));
    day = nums.find((n) => n <= 31) ?? Number.NaN;
    year = nums.find((n) => n > 31) ?? null;
  }
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return null;
  if (year === null && reference) {
    const grace = new Date(reference.getTime() - 31 * 86_400_000);
    year = reference.getUTCFullYear();
    if (new Date(Date.UTC(year, month - 1, day)) < grace) year += 1;
  }
  return year === null ? `--${pad(month)}-${pad(day)}` : `${year}-${pad(month)}-${pad(day)}`;
}
