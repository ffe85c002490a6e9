import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { elementText } from './read-microdata.ts';
import { addProp, type SchemaNode, shortName } from './schema-node.ts';

const isElement = (n: AnyNode): n is Element => n.type === 'tag';
/** Social/OpenGraph metadata also uses `property`; it is read by the OpenGraph reader instead. */
const SOCIAL_PREFIX = /^(?:og|product|fb|twitter|article|al|book|profile|music|video):/i;

function rdfaValue($: CheerioAPI, el: Element): string {
  const a = el.attribs;
  if (a.content !== undefined) return a.content;
  const resource = a.resource ?? a.href ?? a.src;
  if (resource !== undefined && (el.name === 'a' || el.name === 'link' || el.name === 'img' || a.resource))
    return resource;
  return elementText($, el);
}

/**
 * Reads RDFa Lite items (`typeof` + `property`, e.g. `property="schema:price"`) into SchemaNodes.
 * Vocabulary prefixes and full IRIs are reduced to schema.org short names.
 */
export function readRdfa($: CheerioAPI): SchemaNode[] {
  const readItem = (itemEl: Element): SchemaNode => {
    const node: SchemaNode = {
      types: (itemEl.attribs.typeof ?? '').split(/\s+/).filter(Boolean).map(shortName),
      props: new Map(),
      path: `rdfa ${itemEl.name}${itemEl.attribs.id ? `#${itemEl.attribs.id}` : ''}`,
    };
    const pending: AnyNode[] = [...itemEl.children];
    while (pending.length > 0) {
      const child = pending.shift() as AnyNode;
      if (!isElement(child)) continue;
      const names = (child.attribs.property ?? '').split(/\s+/).filter((p) => p && !SOCIAL_PREFIX.test(p));
      const typed = child.attribs.typeof !== undefined;
      if (names.length > 0) {
        const value = typed ? readItem(child) : rdfaValue($, child);
        for (const name of names) addProp(node, name, value);
      }
      if (!typed) pending.unshift(...child.children);
    }
    return node;
  };

  const roots: SchemaNode[] = [];
  $('[typeof]').each((_, el) => {
    const props = (el.attribs.property ?? '').split(/\s+/).filter((p) => p && !SOCIAL_PREFIX.test(p));
    const nestedUnderItem = props.length > 0 && $(el).parents('[typeof]').length > 0;
    if (!nestedUnderItem) roots.push(readItem(el));
  });
  return roots;
}
