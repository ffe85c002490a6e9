const NOISE =
  'script, style, noscript, template, svg, nav, header, footer, aside, form, iframe, button, select';
const TEXT_BLOCKS = 'p, pre, blockquote, li, td, div, section, article, dd';
const MIN_BLOCK_CHARS = 60;
const MAX_LINK_DENSITY = 0.33;

function ownText(el: Element): string {
  let text = '';
  for (let child = el.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 3) text += child.nodeValue ?? '';
    else if (child.nodeType === 1) {
      const tag = (child as Element).localName.toLowerCase();
      if (
        [
          'a',
          'b',
          'strong',
          'em',
          'i',
          'span',
          'u',
          'small',
          'sup',
          'sub',
          'q',
          'cite',
          'abbr',
          'code',
          'mark',
          'time',
          'font',
          'br',
        ].includes(tag)
      )
        text += child.textContent ?? '';
    }
  }
  return text.replace(/\s+/g, ' ').trim();
}

function linkChars(el: Element): number {
  let n = 0;
  for (const a of el.querySelectorAll('a')) n += (a.textContent ?? '').replace(/\s+/g, ' ').trim().length;
  return n;
}

/**
 * Text-density fallback for pages Readability gives up on: scores each element by the text of the
 * dense, link-poor blocks it directly holds (their own text, inline markup included), credits three quarters
 * of that to the parent and three eighths to the grandparent, and returns the best-scoring container, or null when no block of prose
 * exists. Mutates `document` (removes scripts, navigation, headers, footers, forms).
 */
export function extractByDensity(document: Document): Element | null {
  for (const el of document.querySelectorAll(NOISE)) el.remove();
  const scores = new Map<Element, number>();
  for (const block of document.querySelectorAll(TEXT_BLOCKS)) {
    const text = ownText(block);
    if (text.length < MIN_BLOCK_CHARS) continue;
    if (linkChars(block) / Math.max(1, (block.textContent ?? '').length) > MAX_LINK_DENSITY) continue;
    const weight = text.length * (/[.!?。]/.test(text) ? 1 : 0.5);
    // The block itself, its parent (where sibling paragraphs add up) and, less, the grandparent.
    scores.set(block, (scores.get(block) ?? 0) + weight);
    const parent = block.parentElement;
    if (parent) scores.set(parent, (scores.get(parent) ?? 0) + weight * 0.75);
    const grand = parent?.parentElement;
    if (grand) scores.set(grand, (scores.get(grand) ?? 0) + weight * 0.375);
  }
  let best: Element | null = null;
  let bestScore = 0;
  for (const [el, score] of scores) {
    if (score > bestScore) {
      best = el;
      bestScore = score;
    }
  }
  return best;
}
