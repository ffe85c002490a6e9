import type { XmlElement } from './parse-xml.ts';
import { replaceUnsafeCharacters } from './replace-unsafe-characters.ts';
import { resolveHtmlUrls } from './resolve-url.ts';
import { serializeChildren, textOf } from './serialize-xml.ts';

const ATOM10_NS = 'http://www.w3.org/2005/Atom';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** How the value of a text element is to be read, before looking at its attributes. */
export type TextKind = 'text' | 'html';

/**
 * Reads a text element (Atom text construct, RSS title/description, ...) as the feed meant it:
 * Atom `type`/`mode` (text, html, xhtml, escaped, base64) are honoured, inline XHTML is serialised,
 * and relative URLs inside HTML are resolved against the element's base. The result is trimmed;
 * HTML stays HTML. Never throws.
 */
export function readTextConstruct(el: XmlElement, fallback: TextKind): string {
  const type = (attr(el, 'type') ?? '').trim().toLowerCase();
  const mode = (attr(el, 'mode') ?? '').trim().toLowerCase();
  const kind = classifyType(type, fallback, el.ns === ATOM10_NS);
  const hasElements = el.children.some((c) => c.kind === 'element');

  if (mode === 'base64' || kind === 'base64') {
    const decoded = replaceUnsafeCharacters(
      Buffer.from(textOf(el).replace(/\s+/g, ''), 'base64').toString('utf8'),
    );
    return finish(decoded, kind === 'text' ? 'text' : 'html', el);
  }
  if (kind === 'xhtml' || (hasElements && mode !== 'escaped')) {
    const only = onlyElementChild(el);
    if (only && el.ns === ATOM10_NS && only.local === 'div' && only.ns === XHTML_NS)
      return serializeChildren(only).trim();
    return serializeChildren(el).trim();
  }
  return finish(textOf(el), kind === 'text' ? 'text' : 'html', el);
}

function finish(value: string, kind: 'text' | 'html', el: XmlElement): string {
  const trimmed = value.trim();
  return kind === 'html' ? resolveHtmlUrls(trimmed, el.base) : trimmed;
}

function classifyType(
  type: string,
  fallback: TextKind,
  atom10: boolean,
): 'text' | 'html' | 'xhtml' | 'base64' {
  if (type === '') return fallback;
  if (type === 'text' || type === 'text/plain') return 'text';
  if (type === 'html' || type === 'text/html') return 'html';
  if (type === 'xhtml' || type === 'application/xhtml+xml') return 'xhtml';
  if (type.endsWith('/xml') || type.endsWith('+xml')) return 'xhtml';
  if (type.startsWith('text/')) return 'text';
  return atom10 ? 'base64' : fallback;
}

function onlyElementChild(el: XmlElement): XmlElement | null {
  let found: XmlElement | null = null;
  for (const child of el.children) {
    if (child.kind === 'text') {
      if (child.value.trim() !== '') return null;
    } else if (found) return null;
    else found = child;
  }
  return found;
}

/** An un-namespaced (or same-namespace) attribute of `el` by local name, case-insensitively. */
export function attr(el: XmlElement, local: string): string | null {
  for (const a of el.attrs)
    if (a.local.toLowerCase() === local && (a.ns === '' || a.ns === el.ns)) return a.value;
  return null;
}
