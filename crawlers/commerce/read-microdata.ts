import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { addProp, type SchemaNode, shortName } from './schema-node.ts';

const isElement = (n: AnyNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';

const URL_ATTR: Record<string, string> = {
  a: 'href',
  area: 'href',
  link: 'href',
  audio: 'src',
  embed: 'src',
  iframe: 'src',
  img: 'src',
  source: 'src',
  track: 'src',
  video: 'src',
  object: 'data',
};

/** Collapsed text content of an element. */
export function elementText($: CheerioAPI, el: Element): string {
  return $(el).text().replace(/\s+/g, ' ').trim();
}

/**
 * The property value of an element per the microdata spec, plus the common `content` attribute on
 * any element (`<span itemprop="price" content="13.00">$13.00</span>` means 13.00).
 */
function propValue($: CheerioAPI, el: Element): string {
  const a = el.attribs;
  if (el.name === 'meta') return a.content ?? '';
  if (a.content !== undefined) return a.content;
  const urlAttr = URL_ATTR[el.name];
  if (urlAttr) return a[urlAttr] ?? '';
  if (el.name === 'data' || el.name === 'meter') return a.value ?? elementText($, el);
  if (el.name === 'time') return a.datetime ?? elementText($, el);
  return elementText($, el);
}

function describe(el: Element): string {
  const id = el.attribs.id ? `#${el.attribs.id}` : '';
  const cls = el.attribs.class ? `.${el.attribs.class.trim().split(/\s+/).slice(0, 2).join('.')}` : '';
  return `${el.name}${id}${cls}`;
}

/**
 * A block of other products shown beside the page's own: related, recommended, up-sell/cross-sell,
 * similar, also bought/viewed, recently viewed, bought together. Matched on one class/id word.
 */
const RELATED_BLOCK =
  /(?:^|[\s_-])(?:related|recommend(?:ed|ations?)?|upsells?|up-sells?|cross-?sells?|crosssells?|similar|also-?(?:bought|viewed|like)|you-may-(?:also-)?like|recently-?viewed|bought-?together)(?:$|[\s_-])/;

/**
 * Whether an element sits in a block of related products (see RELATED_BLOCK), below `body`.
 * Memoised per ancestor, so asking it for every item stays linear in the page.
 */
function relatedBlockFinder(): (el: Element) => boolean {
  const memo = new Map<AnyNode, boolean>();
  const inBlock = (n: AnyNode | null): boolean => {
    if (!n || !isElement(n) || n.name === 'body' || n.name === 'html') return false;
    const known = memo.get(n);
    if (known !== undefined) return known;
    const a = n.attribs;
    const own = RELATED_BLOCK.test(`${a.class ?? ''} ${a.id ?? ''}`.toLowerCase());
    const result = own || inBlock(n.parent);
    memo.set(n, result);
    return result;
  };
  return inBlock;
}

/**
 * Reads microdata items (`itemscope`/`itemtype`/`itemprop`, `itemref`, nested items) into
 * SchemaNodes. Only top-level items (those that are not themselves a property) are returned;
 * nested ones hang off their parents. Items inside a related-products block are other products
 * (the markup's equivalent of JSON-LD's `isRelatedTo`) and are left out: their prices are never
 * this page's, and three of them must not make a product page read as a listing.
 */
export function readMicrodata($: CheerioAPI): SchemaNode[] {
  const byId = new Map<string, Element>();
  $('[id]').each((_, el) => {
    if (!byId.has(el.attribs.id)) byId.set(el.attribs.id, el);
  });

  const readItem = (itemEl: Element, seen: Set<Element>): SchemaNode => {
    const node: SchemaNode = {
      types: (itemEl.attribs.itemtype ?? '').split(/\s+/).filter(Boolean).map(shortName),
      props: new Map(),
      path: `microdata ${describe(itemEl)}`,
    };
    const pending: AnyNode[] = [...itemEl.children];
    for (const ref of (itemEl.attribs.itemref ?? '').split(/\s+/).filter(Boolean)) {
      const target = byId.get(ref);
      if (target) pending.push(target);
    }
    const visited = new Set<AnyNode>();
    while (pending.length > 0) {
      const child = pending.shift() as AnyNode;
      if (visited.has(child) || !isElement(child)) continue;
      visited.add(child);
      const names = (child.attribs.itemprop ?? '').split(/\s+/).filter(Boolean);
      const scoped = child.attribs.itemscope !== undefined;
      if (names.length > 0) {
        let value: SchemaNode | string | null = null;
        if (scoped) value = seen.has(child) ? null : readItem(child, new Set(seen).add(child));
        else value = propValue($, child);
        if (value !== null) for (const name of names) addProp(node, name, value);
      }
      if (!scoped) pending.unshift(...child.children);
    }
    return node;
  };

  const roots: SchemaNode[] = [];
  const related = relatedBlockFinder();
  $('[itemscope]').each((_, el) => {
    if (el.attribs.itemprop === undefined && !related(el)) roots.push(readItem(el, new Set([el])));
  });
  return roots;
}
