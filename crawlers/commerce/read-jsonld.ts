import type { CheerioAPI } from 'cheerio';
import { addProp, type SchemaNode } from './schema-node.ts';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * Parses one JSON-LD block, repairing what publishers commonly break: HTML comments and CDATA
 * around the JSON, raw newlines and tabs inside strings, trailing commas, several objects
 * written back to back. Returns null when the block is beyond repair.
 */
export function parseJsonLoose(raw: string): Json | null {
  const trimmed = raw
    .trim()
    .replace(/^(?:<!--|\/\/\s*<!\[CDATA\[|<!\[CDATA\[)/, '')
    .replace(/(?:-->|\/\/\s*\]\]>|\]\]>)$/, '')
    .trim();
  if (!trimmed) return null;
  try {
    return JSON.parse(trimmed) as Json;
  } catch {
    // fall through to repairs
  }
  let fixed = '';
  let inString = false;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i];
    if (inString) {
      if (ch === '\\') {
        fixed += ch + (trimmed[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === '"') inString = false;
      if (ch === '\n') fixed += '\\n';
      else if (ch === '\r') fixed += '\\r';
      else if (ch === '\t') fixed += '\\t';
      else if (ch < ' ') fixed += ' ';
      else fixed += ch;
      continue;
    }
    if (ch === '"') inString = true;
    fixed += ch;
  }
  fixed = fixed.replace(/,\s*([}\]])/g, '$1').replace(/;\s*$/, '');
  for (const candidate of [fixed, `[${fixed.replace(/}\s*{/g, '},{')}]`]) {
    try {
      return JSON.parse(candidate) as Json;
    } catch {
      // try the next repair
    }
  }
  return null;
}

function scalar(v: Json): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * Turns parsed JSON-LD into SchemaNodes: `@graph` and arrays are flattened, `{"@id": ...}`
 * references are resolved against the ids defined on the page (cycles cut), `@value` unwrapped.
 */
function toNodes(docs: Json[]): SchemaNode[] {
  const byId = new Map<string, { [k: string]: Json }>();
  const collect = (v: Json) => {
    if (Array.isArray(v)) {
      for (const x of v) collect(x);
    } else if (v && typeof v === 'object') {
      const id = v['@id'];
      if (typeof id === 'string' && Object.keys(v).some((k) => k !== '@id')) byId.set(id, v);
      for (const val of Object.values(v)) collect(val);
    }
  };
  for (const d of docs) collect(d);

  const convert = (obj: { [k: string]: Json }, path: string, seen: Set<object>): SchemaNode => {
    const rawType = obj['@type'];
    const types = (Array.isArray(rawType) ? rawType : [rawType])
      .filter((t): t is string => typeof t === 'string')
      .map((t) => t.slice(Math.max(t.lastIndexOf('/'), t.lastIndexOf('#'), t.lastIndexOf(':')) + 1));
    const node: SchemaNode = { types, props: new Map(), path };
    for (const [key, val] of Object.entries(obj)) {
      if (key === '@type' || key === '@context' || key === '@graph') continue;
      const items = Array.isArray(val) ? val : [val];
      items.forEach((item, i) => {
        const sub = `${path}.${key}${items.length > 1 ? `[${i}]` : ''}`;
        const value = readValue(item, sub, seen);
        if (value !== null) addProp(node, key, value);
      });
    }
    return node;
  };
  const readValue = (item: Json, path: string, seen: Set<object>): SchemaNode | string | null => {
    const s = scalar(item);
    if (s !== null) return s;
    if (!item || typeof item !== 'object' || Array.isArray(item)) return null;
    if ('@value' in item) return scalar(item['@value']);
    let target = item;
    const id = item['@id'];
    if (typeof id === 'string' && Object.keys(item).length === 1) {
      const found = byId.get(id);
      if (!found) return id;
      target = found;
    }
    if (seen.has(target)) return null;
    const next = new Set(seen).add(target);
    return convert(target, path, next);
  };

  const roots: SchemaNode[] = [];
  const addRoot = (v: Json, path: string) => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) addRoot(x, `${path}[${i}]`);
    } else if (v && typeof v === 'object') {
      if (Array.isArray(v['@graph'])) addRoot(v['@graph'], `${path}.@graph`);
      if (v['@type'] !== undefined || !Array.isArray(v['@graph'])) roots.push(convert(v, path, new Set([v])));
    }
  };
  for (const [i, d] of docs.entries()) addRoot(d, `jsonld[${i}]`);
  return roots;
}

/** Reads every `<script type="application/ld+json">` block into SchemaNodes; broken blocks are skipped. */
export function readJsonLd($: CheerioAPI): SchemaNode[] {
  const docs: Json[] = [];
  $('script').each((_, el) => {
    const type = ($(el).attr('type') ?? '').toLowerCase().trim();
    if (!type.startsWith('application/ld+json')) return;
    const parsed = parseJsonLoose($(el).text());
    if (parsed !== null) docs.push(parsed);
  });
  return toNodes(docs);
}
