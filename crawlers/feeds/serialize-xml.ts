import { VOID_ELEMENTS } from './html-elements.ts';
import type { XmlElement, XmlNode } from './parse-xml.ts';
import { resolveUrl } from './resolve-url.ts';

const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'cite',
  'longdesc',
  'action',
  'background',
  'poster',
  'usemap',
  'codebase',
  'data',
  'profile',
  'classid',
]);

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** What the serialiser has in scope at an element: its output namespace and declared prefixes. */
interface Scope {
  ns: string;
  prefixes: ReadonlyMap<string, string>;
}

/**
 * Serialises the children of `element` back to markup (inline XHTML in Atom and RSS). XHTML
 * elements, and undeclared "naked" markup that inherited the feed's own namespace (`<b>` inside an
 * Atom 0.3 title), come out as plain HTML without prefix or declaration. Other vocabularies (SVG,
 * MathML) lose their prefix and declare their namespace once, where they start, so the markup
 * stands on its own; prefixed attributes (`xlink:href`) get their `xmlns:` declaration. URL
 * attributes are resolved against each element's own xml:base chain. Never throws.
 */
export function serializeChildren(element: XmlElement): string {
  const scope: Scope = { ns: XHTML_NS, prefixes: new Map() };
  return element.children.map((child) => serializeNode(child, scope, element.ns)).join('');
}

function serializeNode(node: XmlNode, parent: Scope, hostNs: string): string {
  if (node.kind === 'text') return escapeText(node.value);
  const isHtml = node.ns === XHTML_NS || node.ns === '' || (!node.prefix && node.ns === hostNs);
  const ns = isHtml ? XHTML_NS : node.ns;
  const name = node.local;
  let attrs = ns !== parent.ns ? ` xmlns="${escapeAttribute(ns)}"` : '';
  let prefixes = parent.prefixes;
  for (const attr of node.attrs) {
    if (attr.ns === XMLNS_NS) continue;
    if (attr.ns === XML_NS && attr.local === 'base') continue;
    const prefix = attr.name.includes(':') ? attr.name.slice(0, attr.name.indexOf(':')) : null;
    if (prefix && attr.ns && attr.ns !== XML_NS && prefixes.get(prefix) !== attr.ns) {
      prefixes = new Map(prefixes).set(prefix, attr.ns);
      attrs += ` xmlns:${prefix}="${escapeAttribute(attr.ns)}"`;
    }
    let value = attr.value;
    if (URL_ATTRIBUTES.has(attr.local.toLowerCase())) value = resolveUrl(value, node.base);
    attrs += ` ${attr.name}="${escapeAttribute(value)}"`;
  }
  const scope: Scope = { ns, prefixes };
  const inner = node.children.map((child) => serializeNode(child, scope, hostNs)).join('');
  if (inner === '' && isHtml && VOID_ELEMENTS.has(name.toLowerCase())) return `<${name}${attrs} />`;
  return `<${name}${attrs}>${inner}</${name}>`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** The concatenated character data of an element and its descendants. */
export function textOf(element: XmlElement): string {
  let out = '';
  for (const child of element.children) out += child.kind === 'text' ? child.value : textOf(child);
  return out;
}
