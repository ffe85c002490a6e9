import { type FoldedText, fold, foldText } from './fold-text.ts';
import type { EntityMatch, EntityQuery } from './types.ts';

const WORD = /[\p{L}\p{N}]+/gu;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Words of a folded term; a term without letters or digits matches nothing. */
function wordsOf(term: string): string[] {
  return fold(term).match(WORD) ?? [];
}

/**
 * One regex per term: the words as a phrase (separated by spaces, hyphens, underscores or dots),
 * or glued after `#`/`@` as a hashtag or handle (`#luminabeauty`, `@lumina_beauty`). Never inside
 * a longer word on either side.
 */
function termPattern(terms: string[]): RegExp | null {
  return patternOf(alternativesOf(terms));
}

function alternativesOf(terms: string[]): string[] {
  const alternatives: string[] = [];
  for (const term of terms) {
    const words = wordsOf(term);
    if (words.length === 0) continue;
    alternatives.push(words.map(escapeRegExp).join("[\\s\\-_.'’]+"));
    if (words.length > 1) alternatives.push(`[#@]${words.map(escapeRegExp).join('[_.]?')}`);
  }
  return alternatives;
}

function patternOf(alternatives: string[]): RegExp | null {
  if (alternatives.length === 0) return null;
  // Longest first, so "Lumina Beauty" wins over its alias "Lumina" at the same offset.
  alternatives.sort((a, b) => b.length - a.length);
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
}

// Every entity needs one of its names to occur, so when no name of any entity occurs (most mentions), none
// matches: one test of all names together decides that. Kept per entity list (callers reuse theirs), and
// rebuilt if the list no longer holds the same entities.
const anyNames = new WeakMap<EntityQuery[], { members: EntityQuery[]; pattern: RegExp | null }>();

function anyNameOf(entities: EntityQuery[]): RegExp | null {
  const cached = anyNames.get(entities);
  if (
    cached &&
    cached.members.length === entities.length &&
    cached.members.every((e, i) => e === entities[i])
  )
    return cached.pattern;
  const pattern = patternOf(entities.flatMap((e) => alternativesOf([e.name, ...e.aliases])));
  anyNames.set(entities, { members: [...entities], pattern });
  return pattern;
}

interface CompiledQuery {
  query: EntityQuery;
  names: RegExp | null;
  exclude: RegExp | null;
  required: (RegExp | null)[];
  any: RegExp | null;
  languages: Set<string> | null;
}

const cache = new WeakMap<EntityQuery, CompiledQuery>();

function compile(query: EntityQuery): CompiledQuery {
  let compiled = cache.get(query);
  if (!compiled) {
    compiled = {
      query,
      names: termPattern([query.name, ...query.aliases]),
      exclude: termPattern(query.exclude),
      required: (query.required ?? []).map((t) => termPattern([t])),
      any: query.any && query.any.length > 0 ? termPattern(query.any) : null,
      languages:
        query.languages && query.languages.length > 0
          ? new Set(query.languages.map((l) => l.toLowerCase()))
          : null,
    };
    cache.set(query, compiled);
  }
  return compiled;
}

function occurs(pattern: RegExp | null, fields: FoldedText[]): boolean {
  if (!pattern) return false;
  return fields.some((f) => {
    pattern.lastIndex = 0;
    return pattern.test(f.text);
  });
}

function findAll(
  pattern: RegExp,
  field: FoldedText,
  original: string,
): { offset: number; matched: string }[] {
  const found: { offset: number; matched: string }[] = [];
  pattern.lastIndex = 0;
  for (const m of field.text.matchAll(pattern)) {
    const start = field.origin[m.index];
    const end = field.origin[m.index + m[0].length];
    found.push({ offset: start, matched: original.slice(start, end) });
  }
  return found;
}

/** Options of `matchEntities`. */
export interface MatchEntitiesOptions {
  /** The mention's language (`en`, `pt-BR`); when given, entities with `languages` outside it are skipped. */
  lang?: string | null;
}

/**
 * Finds which tracked entities a mention is about, listening-tool style: an entity matches when its
 * name or an alias occurs as whole words (case- and accent-insensitive; also as `#hashtag` or
 * `@handle` with the words glued), all `required` terms and one of `any` occur somewhere in title or
 * text, no `exclude` term does, and the mention's language (when known) is one of `languages`.
 * Returns every occurrence, title first then by offset; where a name and an alias overlap the longest wins.
 */
export function matchEntities(
  text: string,
  title: string | null,
  entities: EntityQuery[],
  opts: MatchEntitiesOptions = {},
): EntityMatch[] {
  const lang = opts.lang ? opts.lang.toLowerCase().split(/[-_]/)[0] : null;
  const fields: { name: 'title' | 'text'; original: string; folded: FoldedText }[] = [];
  if (title) fields.push({ name: 'title', original: title, folded: foldText(title) });
  fields.push({ name: 'text', original: text, folded: foldText(text) });
  const folded = fields.map((f) => f.folded);
  const out: EntityMatch[] = [];
  if (!occurs(anyNameOf(entities), folded)) return out;
  for (const entity of entities) {
    const c = compile(entity);
    if (!c.names) continue;
    if (lang && c.languages && !c.languages.has(lang)) continue;
    if (!occurs(c.names, folded)) continue;
    if (c.exclude && occurs(c.exclude, folded)) continue;
    if (c.required.some((r) => !occurs(r, folded))) continue;
    if (c.any && !occurs(c.any, folded)) continue;
    for (const field of fields) {
      const hits = findAll(c.names, field.folded, field.original);
      for (const hit of hits) out.push({ key: entity.key, kind: entity.kind, field: field.name, ...hit });
    }
  }
  return out.sort((a, b) => (a.field === b.field ? a.offset - b.offset : a.field === 'title' ? -1 : 1));
}
