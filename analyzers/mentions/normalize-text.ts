/** Longest text `normalizeText` keeps, in UTF-16 units. */
export const MAX_TEXT_LENGTH = 100_000;

/**
 * Makes untrusted text safe to store and compare: NFC, lone surrogates replaced by U+FFFD (existing
 * U+FFFD stays), NUL and other control characters removed (tabs and newlines become spaces), runs
 * of whitespace collapsed to one space, trimmed, and capped at `maxLength` without splitting a
 * surrogate pair. Postgres text columns accept the result (no 0x00). Never throws.
 */
export function normalizeText(text: string, maxLength: number = MAX_TEXT_LENGTH): string {
  let out = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .normalize('NFC')
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u001F\u007F-\u009F\u200B\uFEFF]/g, '')
    .replace(/[\s\u00A0]+/g, ' ')
    .trim();
  if (out.length > maxLength) {
    const cut = /[\uD800-\uDBFF]/.test(out[maxLength - 1] ?? '') ? maxLength - 1 : maxLength;
    out = out.slice(0, cut).trimEnd();
  }
  return out;
}
