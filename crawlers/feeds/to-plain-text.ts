import { lookupHtmlEntity } from './html-entities.ts';

/**
 * Turns a feed text field (HTML or plain) into display text: drops scripts, styles and tags,
 * decodes character references, collapses whitespace. For analysis and search, never for
 * re-rendering. Never throws.
 */
export function toPlainText(value: string | null): string {
  if (!value) return '';
  return decodeReferences(
    value
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<\/?[a-zA-Z][^<>]*>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** Decodes `&amp;`, `&#38;`, `&#x26;` and HTML named references; unknown ones stay as written. */
export function decodeReferences(text: string): string {
  return text.replace(
    /&(#\d{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, ref: string) => {
      if (ref[0] === '#') {
        const code =
          ref[1] === 'x' || ref[1] === 'X'
            ? Number.parseInt(ref.slice(2), 16)
            : Number.parseInt(ref.slice(1), 10);
        return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
          ? String.fromCodePoint(code)
          : '\uFFFD';
      }
      if (ref === 'apos') return "'";
      return lookupHtmlEntity(ref) ?? whole;
    },
  );
}
