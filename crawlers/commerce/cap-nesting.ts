import { VOID_ELEMENTS as VOID } from '../feeds/html-elements.ts';
/** Deeper than any real page (browsers cap the DOM near 512), far below what stalls a parser. */
export const MAX_NESTING = 1000;

/**
 * Cuts HTML where its element nesting first exceeds `max`, in one linear scan, so a hostile page (100k nested
 * `<div>`s) cannot stall the parser: what comes before the cut — the head, the structured data, the main product
 * block — is still parsed. Returns the body unchanged when it is not that deep. Pure; an estimate (it ignores
 * comments and treats `<script>` contents as text), which errs on the side of not cutting.
 */
export function capNesting(html: string, max = MAX_NESTING): { html: string; truncated: boolean } {
  // Nesting deeper than `max` needs more than `max` tags: a page with no more '<' than that is returned as is,
  // after a scan far cheaper than the tag-by-tag one (most pages).
  let opens = 0;
  for (let i = html.indexOf('<'); i !== -1 && opens <= max; i = html.indexOf('<', i + 1)) opens++;
  if (opens <= max) return { html, truncated: false };
  let depth = 0;
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g;
  let rawText: string | null = null;
  for (let m = tag.exec(html); m !== null; m = tag.exec(html)) {
    const name = m[2].toLowerCase();
    if (rawText) {
      if (m[1] && name === rawText) rawText = null;
      continue;
    }
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID.has(name)) {
      if (name === 'script' || name === 'style' || name === 'textarea') rawText = name;
      else if (++depth > max) return { html: html.slice(0, m.index), truncated: true };
    }
  }
  return { html, truncated: false };
}
