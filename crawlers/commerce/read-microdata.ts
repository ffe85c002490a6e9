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
 * Reads microdata items (`itemscope`/`itemtype`/`itemprop`, `itemref`, nested items) into
 * SchemaNodes. Only top-level items (those that are not themselves a property) are returned;
 * nested ones hang off their parents.
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
  $('[itemscope]').each((_, el) => {
    if (el.attribs.itemprop === undefined) roots.push(readItem(el, new Set([el])));
  });
  return roots;
}
