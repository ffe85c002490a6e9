import { lookupHtmlEntity } from './html-entities.ts';
import { MAX_ENTITY_EXPANSION, MAX_XML_DEPTH } from './limits.ts';
import { resolveUrl } from './resolve-url.ts';

/** An attribute with its namespace resolved. Attributes live in arrays, never in object keys. */
export interface XmlAttribute {
  name: string;
  local: string;
  ns: string;
  value: string;
}

/** An element of the recovered document tree. */
export interface XmlElement {
  kind: 'element';
  /** The qualified name as written. */
  name: string;
  prefix: string | null;
  local: string;
  /** Namespace URI, '' when none. */
  ns: string;
  attrs: XmlAttribute[];
  children: XmlNode[];
  /** Base URL in force for this element (xml:base chain), or null when unknown. */
  base: string | null;
  parent: XmlElement | null;
}

/** Character data (text, CDATA and expanded references, merged). */
export interface XmlText {
  kind: 'text';
  value: string;
}

export type XmlNode = XmlElement | XmlText;

/** A recovered document and everything that had to be recovered to get it. */
export interface XmlDocument {
  root: XmlElement | null;
  /** Ill-formedness repaired on the way; empty for a well-formed document. */
  problems: string[];
}

/** The document is hostile or too big to parse safely (entity expansion over the limit). */
export class XmlLimitError extends Error {
  override name = 'XmlLimitError';
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Prefixes feeds use without declaring them, mapped to their usual namespaces. */
const WELL_KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['dc', 'http://purl.org/dc/elements/1.1/'],
  ['dcterms', 'http://purl.org/dc/terms/'],
  ['content', 'http://purl.org/rss/1.0/modules/content/'],
  ['media', 'http://search.yahoo.com/mrss/'],
  ['itunes', 'http://www.itunes.com/dtds/podcast-1.0.dtd'],
  ['atom', 'http://www.w3.org/2005/Atom'],
  ['rdf', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'],
  ['xhtml', 'http://www.w3.org/1999/xhtml'],
]);

interface EntityDefinition {
  value: string | null; // null: external, never fetched
}

/**
 * Parses XML leniently, like a browser parses HTML: unescaped `&`, undefined entities, stray or
 * missing end tags and truncation are repaired and reported in `problems` instead of failing.
 * Internal DTD entities are expanded under a total budget; external entities are never resolved.
 * Element and attribute names are never used as object keys, so `__proto__` is just a name.
 * @throws XmlLimitError when entity expansion exceeds `MAX_ENTITY_EXPANSION` characters or nests
 *   too deeply (billion laughs, quadratic blowup).
 */
export function parseXml(text: string, baseUrl: string | null): XmlDocument {
  return new TolerantParser(text, baseUrl).run();
}

class TolerantParser {
  private i = 0;
  private readonly problems: string[] = [];
  private readonly entities = new Map<string, EntityDefinition>();
  private expanded = 0;
  private root: XmlElement | null = null;
  private readonly stack: XmlElement[] = [];
  private readonly scopes: ReadonlyMap<string, string>[] = [];

  constructor(
    private readonly s: string,
    private readonly baseUrl: string | null,
  ) {}

  run(): XmlDocument {
    const s = this.s;
    const n = s.length;
    while (this.i < n) {
      const lt = s.indexOf('<', this.i);
      if (lt === -1) {
        this.text(s.slice(this.i), true);
        this.i = n;
        break;
      }
      if (lt > this.i) this.text(s.slice(this.i, lt), true);
      this.i = lt;
      if (s.startsWith('<!--', lt)) this.skipPast('-->', 4, 'unterminated comment');
      else if (s.startsWith('<![CDATA[', lt)) this.cdata();
      else if (s.startsWith('<!', lt)) {
        if (/^<!DOCTYPE/i.test(s.slice(lt, lt + 9))) this.doctype();
        else {
          this.problem('unknown markup declaration');
          this.skipPast('>', 2, 'unknown markup declaration');
        }
      } else if (s.startsWith('<?', lt)) this.skipPast('?>', 2, 'unterminated processing instruction');
      else if (s[lt + 1] === '/') this.endTag();
      else if (/[A-Za-z_:\u00C0-\uFFFF]/.test(s[lt + 1] ?? '')) this.startTag();
      else {
        this.problem('unescaped <');
        this.text('<', false);
        this.i = lt + 1;
      }
    }
    if (this.stack.length > 0) this.problem('document ends inside an element (truncated?)');
    return { root: this.root, problems: this.problems };
  }

  private problem(p: string): void {
    if (this.problems.length < 20 && !this.problems.includes(p)) this.problems.push(p);
  }

  private skipPast(terminator: string, from: number, problem: string): void {
    const end = this.s.indexOf(terminator, this.i + from);
    if (end === -1) {
      this.problem(problem);
      this.i = this.s.length;
    } else this.i = end + terminator.length;
  }

  private cdata(): void {
    const start = this.i + 9;
    const end = this.s.indexOf(']]>', start);
    if (end === -1) {
      this.problem('unterminated CDATA section');
      this.text(this.s.slice(start), false);
      this.i = this.s.length;
    } else {
      this.text(this.s.slice(start, end), false);
      this.i = end + 3;
    }
  }

  private text(raw: string, decode: boolean): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (raw.trim() !== '') this.problem('text outside the root element');
      return;
    }
    const value = decode ? this.decode(raw, 0) : raw;
    if (value === '') return;
    const last = parent.children[parent.children.length - 1];
    if (last && last.kind === 'text') last.value += value;
    else parent.children.push({ kind: 'text', value });
  }

  private doctype(): void {
    const s = this.s;
    let j = this.i + 9;
    let depth = 0;
    let subsetStart = -1;
    let subsetEnd = -1;
    while (j < s.length) {
      const c = s[j];
      if (c === '"' || c === "'") {
        const close = s.indexOf(c, j + 1);
        j = close === -1 ? s.length : close + 1;
        continue;
      }
      if (c === '<' && s.startsWith('<!--', j)) {
        const close = s.indexOf('-->', j + 4);
        j = close === -1 ? s.length : close + 3;
        continue;
      }
      if (c === '[') {
        if (depth === 0) subsetStart = j + 1;
        depth++;
      } else if (c === ']') {
        depth--;
        if (depth === 0) subsetEnd = j;
      } else if (c === '>' && depth <= 0) break;
      j++;
    }
    if (j >= s.length) this.problem('unterminated DOCTYPE');
    if (subsetStart !== -1) this.declareEntities(s.slice(subsetStart, subsetEnd === -1 ? j : subsetEnd));
    this.i = Math.min(j + 1, s.length);
  }

  private declareEntities(subset: string): void {
    const decl =
      /<!ENTITY\s+(%\s*)?([^\s%;&]+)\s+(?:"([^"]*)"|'([^']*)'|((?:SYSTEM|PUBLIC)\b[^>]*))\s*(?:NDATA\s+\S+\s*)?>/g;
    for (let m = decl.exec(subset); m !== null; m = decl.exec(subset)) {
      if (m[1]) continue; // parameter entities are never expanded
      const name = m[2];
      if (this.entities.has(name)) continue; // first declaration wins (XML 1.0 §4.2)
      const literal = m[3] ?? m[4];
      this.entities.set(name, { value: literal ?? null });
    }
  }

  /** Replaces character and entity references in `raw`. */
  private decode(raw: string, depth: number): string {
    if (!raw.includes('&')) return raw;
    if (depth > 8) throw new XmlLimitError('entity references nest too deeply');
    let out = '';
    let from = 0;
    const ref = /&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z_:][\w.:-]{0,63});/y;
    for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', from)) {
      out += raw.slice(from, amp);
      ref.lastIndex = amp;
      const m = ref.exec(raw);
      if (!m) {
        const legacy = /^&(amp|lt|gt|quot|apos)(?![\w;])/.exec(raw.slice(amp, amp + 6));
        this.problem(legacy ? 'entity reference without ;' : 'unescaped &');
        if (legacy) {
          out += PREDEFINED.get(legacy[1]);
          from = amp + legacy[0].length;
          continue;
        }
        out += '&';
        from = amp + 1;
        continue;
      }
      from = amp + m[0].length;
      out += this.expand(m[1], m[0], depth);
      if (out.length > MAX_ENTITY_EXPANSION * 2) throw new XmlLimitError('entity expansion limit exceeded');
    }
    return out + raw.slice(from);
  }

  private expand(name: string, literal: string, depth: number): string {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? Number.parseInt(name.slice(2), 16)
          : Number.parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        this.problem('invalid character reference');
        return '\uFFFD';
      }
      return String.fromCodePoint(code);
    }
    const predefined = PREDEFINED.get(name);
    if (predefined !== undefined) return predefined;
    const declared = this.entities.get(name);
    if (declared) {
      if (declared.value === null) {
        this.problem('external entity not resolved');
        return '';
      }
      const value = this.decode(declared.value, depth + 1);
      this.expanded += value.length;
      if (this.expanded > MAX_ENTITY_EXPANSION) throw new XmlLimitError('entity expansion limit exceeded');
      return value;
    }
    const html = lookupHtmlEntity(name);
    this.problem('undefined entity');
    return html ?? literal;
  }

  private startTag(): void {
    const s = this.s;
    const n = s.length;
    let j = this.i + 1;
    const nameStart = j;
    TAG_NAME.lastIndex = j;
    j = TAG_NAME.exec(s) ? TAG_NAME.lastIndex : j;
    const name = s.slice(nameStart, j);
    const rawAttrs: [string, string][] = [];
    let selfClosing = false;
    let closed = false;
    while (j < n) {
      j = skipSpace(s, j);
      const c = s[j];
      if (c === '>') {
        j++;
        closed = true;
        break;
      }
      if (c === '/' && s[j + 1] === '>') {
        j += 2;
        selfClosing = true;
        closed = true;
        break;
      }
      if (c === '<' || c === undefined) break;
      if (c === '/' || c === '=' || c === '"' || c === "'") {
        this.problem('malformed attribute');
        j++;
        continue;
      }
      const attrStart = j;
      ATTR_NAME.lastIndex = j;
      j = ATTR_NAME.exec(s) ? ATTR_NAME.lastIndex : j + 1;
      const attrName = s.slice(attrStart, j);
      let k = skipSpace(s, j);
      if (s[k] !== '=') {
        this.problem('attribute without value');
        rawAttrs.push([attrName, attrName]);
        continue;
      }
      k = skipSpace(s, k + 1);
      const q = s[k];
      let value: string;
      if (q === '"' || q === "'") {
        const close = s.indexOf(q, k + 1);
        const tagEnd = s.indexOf('>', k + 1);
        if (close === -1) {
          this.problem('unterminated attribute value');
          const stop = tagEnd === -1 ? n : tagEnd;
          value = s.slice(k + 1, stop);
          j = stop;
        } else {
          value = s.slice(k + 1, close);
          j = close + 1;
        }
      } else {
        this.problem('unquoted attribute value');
        const valueStart = k;
        while (k < n && !/[\s>]/.test(s[k])) k++;
        value = s.slice(valueStart, k);
        j = k;
      }
      rawAttrs.push([attrName, this.decode(value, 0).replace(/[\t\n\r]/g, ' ')]);
    }
    if (!closed) this.problem(j >= n ? 'document ends inside a tag' : 'unclosed start tag');
    this.i = j;
    this.open(name, rawAttrs, selfClosing);
  }

  private open(name: string, rawAttrs: [string, string][], selfClosing: boolean): void {
    const parent = this.stack[this.stack.length - 1] ?? null;
    if (!parent && this.root) {
      this.problem('content after the root element');
      return;
    }
    if (this.stack.length >= MAX_XML_DEPTH) {
      this.problem('elements nested too deeply');
      return;
    }
    let scope = this.scopes[this.scopes.length - 1] ?? new Map<string, string>();
    for (const [attrName, value] of rawAttrs) {
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        if (scope === this.scopes[this.scopes.length - 1] || this.scopes.length === 0) scope = new Map(scope);
        (scope as Map<string, string>).set(attrName === 'xmlns' ? '' : attrName.slice(6), value.trim());
      }
    }
    const [prefix, local] = splitName(name);
    const attrs: XmlAttribute[] = rawAttrs.map(([attrName, value]) => {
      const [p, l] = splitName(attrName);
      let ns = '';
      if (attrName === 'xmlns' || p === 'xmlns') ns = XMLNS_NS;
      else if (p === 'xml') ns = XML_NS;
      else if (p) ns = this.lookupNamespace(scope, p);
      return { name: attrName, local: l, ns, value };
    });
    const element: XmlElement = {
      kind: 'element',
      name,
      prefix,
      local,
      ns: prefix === 'xml' ? XML_NS : this.lookupNamespace(scope, prefix ?? ''),
      attrs,
      children: [],
      base: parent ? parent.base : this.baseUrl,
      parent,
    };
    const xmlBase = attrs.find((a) => a.ns === XML_NS && a.local === 'base');
    if (xmlBase) element.base = resolveUrl(xmlBase.value, element.base);
    if (parent) parent.children.push(element);
    else this.root = element;
    if (!selfClosing) {
      this.stack.push(element);
      this.scopes.push(scope);
    }
  }

  private lookupNamespace(scope: ReadonlyMap<string, string>, prefix: string): string {
    const bound = scope.get(prefix);
    if (bound !== undefined) return bound;
    if (prefix === '') return '';
    const known = WELL_KNOWN_PREFIXES.get(prefix.toLowerCase());
    this.problem('undeclared namespace prefix');
    return known ?? '';
  }

  private endTag(): void {
    const s = this.s;
    const start = this.i + 2;
    const close = s.indexOf('>', start);
    const nextOpen = s.indexOf('<', start);
    let stop: number;
    if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
      this.problem('unterminated end tag');
      stop = close === -1 ? s.length : nextOpen;
      this.i = stop;
    } else {
      stop = close;
      this.i = close + 1;
    }
    const tagName = s.slice(start, stop).trim().split(/\s/)[0];
    let at = -1;
    for (let k = this.stack.length - 1; k >= 0; k--) {
      if (this.stack[k].name === tagName) {
        at = k;
        break;
      }
    }
    if (at === -1) {
      const lower = tagName.toLowerCase();
      for (let k = this.stack.length - 1; k >= 0; k--) {
        if (this.stack[k].name.toLowerCase() === lower) {
          at = k;
          break;
        }
      }
    }
    if (at === -1) {
      this.problem('end tag without start tag');
      return;
    }
    if (at !== this.stack.length - 1) this.problem('mismatched end tag');
    this.stack.length = at;
    this.scopes.length = at;
  }
}

const TAG_NAME = /[^\s/><]+/y;
const ATTR_NAME = /(?:[^\s=></]|\/(?!>))+/y;

function skipSpace(s: string, from: number): number {
  let j = from;
  for (let c = s.charCodeAt(j); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++j));
  return j;
}

function splitName(name: string): [string | null, string] {
  const colon = name.indexOf(':');
  return colon > 0 ? [name.slice(0, colon), name.slice(colon + 1)] : [null, name];
}
