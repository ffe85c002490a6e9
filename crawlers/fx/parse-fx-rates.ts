/** One dated exchange rate: 1 `base` = `rate` `quote`. */
export interface FxRate {
  day: string;
  base: string;
  quote: string;
  rate: string;
}

export class FxParseError extends Error {
  readonly code = 'FX_PARSE_ERROR';
}

const ISO = /^[A-Z]{3}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+(\.\d+)?$/;
/** More rows than any real rate file needs; a bigger input is refused, not truncated. */
export const MAX_FX_ROWS = 200_000;

function checked(r: FxRate, where: string): FxRate {
  if (!DAY.test(r.day) || Number.isNaN(Date.parse(`${r.day}T00:00:00Z`)))
    throw new FxParseError(`${where}: bad date "${r.day}"`);
  if (!ISO.test(r.base)) throw new FxParseError(`${where}: bad currency "${r.base}"`);
  if (!ISO.test(r.quote)) throw new FxParseError(`${where}: bad currency "${r.quote}"`);
  if (!DECIMAL.test(r.rate) || Number(r.rate) <= 0) throw new FxParseError(`${where}: bad rate "${r.rate}"`);
  return r;
}

/**
 * Parses `date,base,quote,rate` CSV (a header line is optional; `;` also separates). Throws FxParseError naming
 * the line of the first bad row: a rate file is loaded whole or not at all.
 */
export function parseFxCsv(text: string): FxRate[] {
  const out: FxRate[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const cells = line.split(/[;,]/).map((c) => c.trim());
    if (cells.length === 1 && cells[0] === '') return;
    if (i === 0 && /date/i.test(cells[0])) return;
    if (cells.length !== 4) throw new FxParseError(`line ${i + 1}: expected date,base,quote,rate`);
    out.push(
      checked(
        { day: cells[0], base: cells[1].toUpperCase(), quote: cells[2].toUpperCase(), rate: cells[3] },
        `line ${i + 1}`,
      ),
    );
    if (out.length > MAX_FX_ROWS) throw new FxParseError(`more than ${MAX_FX_ROWS} rates`);
  });
  return out;
}

/**
 * Parses the European Central Bank's reference-rate XML (`eurofxref-daily.xml` / `-hist.xml`): `<Cube time="…">`
 * groups of `<Cube currency="USD" rate="1.0812"/>`, all against EUR. Reads attributes with a scanner, never an
 * entity-expanding XML parser.
 */
export function parseEcbXml(xml: string): FxRate[] {
  const out: FxRate[] = [];
  let day: string | null = null;
  for (const m of xml.matchAll(/<(?:\w+:)?Cube\b([^>]*)>/g)) {
    const attrs = m[1];
    const time = /\btime\s*=\s*["']([^"']+)["']/.exec(attrs);
    if (time) {
      day = time[1];
      continue;
    }
    const currency = /\bcurrency\s*=\s*["']([^"']+)["']/.exec(attrs);
    const rate = /\brate\s*=\s*["']([^"']+)["']/.exec(attrs);
    if (!currency || !rate) continue;
    if (!day) throw new FxParseError('rate outside a dated Cube');
    out.push(checked({ day, base: 'EUR', quote: currency[1].toUpperCase(), rate: rate[1] }, `Cube ${day}`));
    if (out.length > MAX_FX_ROWS) throw new FxParseError(`more than ${MAX_FX_ROWS} rates`);
  }
  if (out.length === 0) throw new FxParseError('no <Cube currency rate> entries found');
  return out;
}
