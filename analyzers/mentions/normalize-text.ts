/** Longest text `normalizeText` keeps, in UTF-16 units. */
export const MAX_TEXT_LENGTH = 100_000;

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Anything the cleaning steps below would change: control and zero-width characters, any whitespace but a
 * single inner space. */
const NEEDS_CLEANING = /[\u0000-\u001F\u007F-\u009F\u200B\uFEFF]|[^\S ]| {2}|^ | $/;

/**
 * Makes untrusted text safe to store and compare: NFC, lone surrogates replaced by U+FFFD (existing
 * U+FFFD stays), NUL and other control characters removed (tabs and newlines become spaces), runs
 * of whitespace collapsed to one space, trimmed, and capped at `maxLength` without splitting a
 * surrogate pair. Postgres text columns accept the result (no 0x00). Never throws.
 */
export function normalizeText(text: string, maxLength: number = MAX_TEXT_LENGTH): string {
  let out = SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
  out = out.normalize('NFC');
  // Most text has nothing else to fix: test once instead of running every replacement.
  if (NEEDS_CLEANING.test(out)) {
    out = out
      .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ')
      .replace(/[\u0000-\u001F\u007F-\u009F\u200B\uFEFF]/g, '')
      .replace(/[\s\u00A0]+/g, ' ')
      .trim();
  }
  if (out.length > maxLength) {
    const cut = /[\uD800-\uDBFF]/.test(out[maxLength - 1] ?? '') ? maxLength - 1 : maxLength;
    out = out.slice(0, cut).trimEnd();
  }
  return out;
}
