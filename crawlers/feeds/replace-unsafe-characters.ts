/**
 * Makes text safe for Postgres and for re-encoding as UTF-8: NUL and lone UTF-16 surrogates become
 * U+FFFD; other C0 control characters that XML forbids are dropped. Tab, LF and CR are kept.
 */
export function replaceUnsafeCharacters(text: string): string {
  return text
    .replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\u0001-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}
