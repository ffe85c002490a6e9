const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'ul',
  'caption',
]);
const CELL = new Set(['td', 'th']);
const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'button',
  'select',
  'input',
  'textarea',
  'iframe',
]);

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/**
 * Serialises extracted article HTML to plain text: block elements become paragraphs separated by
 * `\n\n`, `<br>` a line break, table cells are joined by spaces, runs of whitespace collapse, and
 * scripts, styles, forms controls and embeds are dropped. Unlike `textContent`, words in adjacent
 * paragraphs never run together.
 */
export function toArticleText(root: Node): string {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if (node.nodeType === TEXT_NODE) {
      parts.push((node.nodeValue ?? '').replace(/[\s\u00a0]+/g, ' '));
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const tag = (node as Element).localName.toLowerCase();
    if (SKIP.has(tag)) return;
    if (tag === 'br') {
      parts.push('\n');
      return;
    }
    const block = BLOCK.has(tag);
    if (block) parts.push('\n\n');
    else if (CELL.has(tag)) parts.push(' ');
    for (let child = node.firstChild; child; child = child.nextSibling) walk(child);
    if (block) parts.push('\n\n');
  };
  walk(root);
  return parts
    .join('')
    .split(/\n{2,}/)
    .map((para) =>
      para
        .split('\n')
        .map((line) => line.replace(/ +/g, ' ').trim())
        .filter((line) => line !== '')
        .join('\n'),
    )
    .filter((para) => para !== '')
    .join('\n\n');
}
