/**
 * Feeds corpus (feedparser's test feeds and date table): parse rate split by well-/ill-formed,
 * field checks per group with strict and lenient comparison, and the date table. Structured
 * feedparser fields (`tags`, `media_*`) are walked into our `tags`/`media`; `failures` lists lenient
 * misses, `strict_only_failures` the checks that pass only leniently.
 * See ../shared/corpora/README.md, "feeds/".
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FeedEntry,
  type FeedMeta,
  type FeedResult,
  parseFeed,
  parseFeedDate,
  toPlainText,
} from '../../crawlers/feeds/index.ts';
import type { EvalOptions } from '../eval.ts';

interface Check {
  path: string;
  value: unknown;
  value_iso_utc?: string;
}

interface FeedCase {
  id: string;
  file: string;
  wellformed: boolean;
  expect_bozo: boolean | null;
  checks: Check[];
  http_context: {
    document_url?: string;
    content_type?: string | null;
    headers?: Record<string, string>;
  } | null;
}

interface DateCase {
  id: string;
  format_family: string;
  text: string;
  expected_utc: string | null;
}

type Group = 'title' | 'link' | 'date' | 'summary/content' | 'id' | 'other';
const GROUPS: Group[] = ['title', 'link', 'date', 'summary/content', 'id', 'other'];

interface Tally {
  total: number;
  strict: number;
  lenient: number;
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

/** Splits `entries[0].title_detail.value` into the scope and the field name we compare. */
function locate(path: string): { scope: 'feed' | 'entry' | 'root'; field: string } {
  const m = /^(feed|entries\[0\])\.([a-z_]+)/.exec(path);
  if (!m) return { scope: 'root', field: path };
  const field = path.slice(m[1].length + 1);
  return { scope: m[1] === 'feed' ? 'feed' : 'entry', field };
}

function groupOf(field: string): Group {
  const name = field.replace(/_detail\.value$|_parsed$|\[0\]\.(value|href)$/, '');
  if (name === 'title') return 'title';
  if (name === 'link' || name === 'links') return 'link';
  if (['published', 'updated', 'created'].includes(name)) return 'date';
  if (['summary', 'content', 'subtitle'].includes(name)) return 'summary/content';
  if (name === 'id') return 'id';
  return 'other';
}

/** feedparser's structured fields (lists and dicts) → ours; the rest of the path is walked. */
const STRUCTURED: Record<string, (x: FeedEntry | FeedMeta) => unknown> = {
  tags: (x) => x.tags,
  media_content: (x) => x.media.content,
  media_thumbnail: (x) => x.media.thumbnails,
  media_credit: (x) => x.media.credits,
  media_rating: (x) => x.media.rating,
  media_restriction: (x) => x.media.restriction,
  media_license: (x) => x.media.license,
  media_player: (x) => x.media.player,
};

/**
 * Follows `[0].role`-style steps into our value. Keys match case-insensitively, because feedparser
 * lower-cases attribute names (`filesize`) where our types use camelCase (`fileSize`).
 */
function walk(value: unknown, rest: string): unknown {
  let current = value;
  for (const step of rest.match(/\[\d+\]|\.[A-Za-z_]+/g) ?? []) {
    if (current === null || current === undefined) return undefined;
    if (step.startsWith('[')) {
      current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
    } else {
      const want = step.slice(1).toLowerCase();
      const key = Object.keys(current).find((k) => k.toLowerCase() === want);
      current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
    }
  }
  return current;
}

/** Our value for a feedparser path, or undefined when we do not model that field. */
function lookup(result: Extract<FeedResult, { ok: true }>, check: Check): unknown {
  const { scope, field } = locate(check.path);
  if (scope === 'root') return field === 'encoding' ? result.encoding : undefined;
  const structured = /^([a-z_]+)((?:\[\d+\]|\.[A-Za-z_]+)*)$/.exec(field);
  if (structured && Object.hasOwn(STRUCTURED, structured[1])) {
    const target = scope === 'feed' ? result.feed : result.entries[0];
    return target ? walk(STRUCTURED[structured[1]](target), structured[2]) : null;
  }
  const name = field.replace(/_detail\.value$|_parsed$|\[0\]\.(value|href)$/, '');
  if (scope === 'feed') {
    const f = result.feed;
    const map: Record<string, string | null> = {
      title: f.title,
      link: f.link,
      links: f.link,
      subtitle: f.subtitle,
      id: f.id,
      author: f.author,
      published: f.published,
      updated: f.updated,
    };
    return Object.hasOwn(map, name) ? map[name] : undefined;
  }
  const e: FeedEntry | undefined = result.entries[0];
  if (!e) return null;
  const map: Record<string, string | null> = {
    title: e.title,
    link: e.link,
    links: e.link,
    summary: e.summary,
    subtitle: e.summary,
    content: e.content,
    id: e.id,
    author: e.author,
    published: e.published,
    created: e.published,
    updated: e.updated,
  };
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

const lenient = (s: string) =>
  toPlainText(s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));

function compare(check: Check, ours: unknown, group: Group): { strict: boolean; lenient: boolean } {
  if (ours === undefined || ours === null) return { strict: false, lenient: false };
  if (Array.isArray(check.value) && group !== 'date') {
    const want = check.value.map(String);
    if (!Array.isArray(ours) || ours.length !== want.length) return { strict: false, lenient: false };
    const got = ours.map(String);
    return {
      strict: got.every((v, i) => v.trim() === want[i].trim()),
      lenient: got.every((v, i) => lenient(v) === lenient(want[i])),
    };
  }
  if (typeof ours !== 'string') return { strict: false, lenient: false };
  if (typeof check.value !== 'string' && !check.value_iso_utc) return { strict: false, lenient: false };
  if (group === 'date') {
    const expected = check.value_iso_utc ?? (typeof check.value === 'string' ? check.value : '');
    const want = Date.parse(expected);
    const ok = !Number.isNaN(want) && Date.parse(ours) === want;
    return { strict: ok, lenient: ok };
  }
  const expected = String(check.value);
  if (check.path === 'encoding') {
    const ok = ours.toLowerCase() === expected.toLowerCase();
    return { strict: ok, lenient: ok };
  }
  return { strict: ours.trim() === expected.trim(), lenient: lenient(ours) === lenient(expected) };
}

function entryRow(e: FeedEntry) {
  return {
    title: e.title,
    link: e.link,
    summary: e.summary,
    content: e.content,
    published: e.published,
    updated: e.updated,
    id: e.id,
  };
}

export async function evaluate({ dataDir, emit }: EvalOptions): Promise<Record<string, unknown>> {
  const cases: FeedCase[] = (await readFile(join(dataDir, 'cases.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const parsed = { wellformed: { ok: 0, total: 0 }, illformed: { ok: 0, total: 0 } };
  const bozo = { agree: 0, total: 0 };
  const tallies = new Map<Group, Tally>(GROUPS.map((g) => [g, { total: 0, strict: 0, lenient: 0 }]));
  const failures: string[] = [];
  const strictFailures: string[] = [];

  for (const c of cases) {
    const body = await readFile(join(dataDir, c.file));
    const http = c.http_context;
    const result = parseFeed(
      body,
      http
        ? { url: http.document_url, contentType: http.content_type ?? null, headers: http.headers ?? {} }
        : {},
    );
    const bucket = c.wellformed ? parsed.wellformed : parsed.illformed;
    bucket.total++;
    if (result.ok) bucket.ok++;
    if (result.ok && c.expect_bozo !== null) {
      bozo.total++;
      if (result.bozo === c.expect_bozo) bozo.agree++;
    }
    for (const check of c.checks) {
      const group = groupOf(locate(check.path).field);
      const tally = tallies.get(group)!;
      tally.total++;
      const ours = result.ok ? lookup(result, check) : null;
      const verdict = compare(check, ours, group);
      if (verdict.strict) tally.strict++;
      else if (verdict.lenient)
        strictFailures.push(
          `${c.id} ${check.path}: want ${JSON.stringify(check.value)} got ${JSON.stringify(ours)}`,
        );
      if (verdict.lenient) tally.lenient++;
      else
        failures.push(
          `${c.id} ${check.path}: want ${JSON.stringify(check.value)} got ${JSON.stringify(ours)}`,
        );
    }
    emit(
      result.ok
        ? {
            id: c.id,
            ok: true,
            bozo: result.bozo,
            feed: { title: result.feed.title, link: result.feed.link, subtitle: result.feed.subtitle },
            entries: result.entries.slice(0, 3).map(entryRow),
          }
        : { id: c.id, ok: false, error: result.error, feed: null, entries: [] },
    );
  }

  const dates: DateCase[] = (await readFile(join(dataDir, 'dates.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  let datesOk = 0;
  const dateFailures: string[] = [];
  for (const d of dates) {
    const utc = parseFeedDate(d.text);
    emit({ date_id: d.id, utc });
    const ok =
      d.expected_utc === null ? utc === null : utc !== null && Date.parse(utc) === Date.parse(d.expected_utc);
    if (ok) datesOk++;
    else dateFailures.push(`${d.id} ${JSON.stringify(d.text)}: want ${d.expected_utc} got ${utc}`);
  }

  const all = [...tallies.values()].reduce(
    (a, t) => ({ total: a.total + t.total, strict: a.strict + t.strict, lenient: a.lenient + t.lenient }),
    { total: 0, strict: 0, lenient: 0 },
  );
  const byGroup = (key: 'strict' | 'lenient') =>
    Object.fromEntries(
      GROUPS.map((g) => [
        g,
        { pct: pct(tallies.get(g)![key], tallies.get(g)!.total), n: tallies.get(g)!.total },
      ]),
    );
  return {
    files: cases.length,
    parsed: {
      wellformed: { ...parsed.wellformed, pct: pct(parsed.wellformed.ok, parsed.wellformed.total) },
      illformed: { ...parsed.illformed, pct: pct(parsed.illformed.ok, parsed.illformed.total) },
    },
    bozo_agreement: { ...bozo, pct: pct(bozo.agree, bozo.total) },
    checks: {
      total: all.total,
      strict_pct: pct(all.strict, all.total),
      lenient_pct: pct(all.lenient, all.total),
      strict: byGroup('strict'),
      lenient: byGroup('lenient'),
    },
    dates: { ok: datesOk, total: dates.length, pct: pct(datesOk, dates.length) },
    failures: failures.slice(0, 40),
    strict_only_failures: strictFailures.slice(0, 40),
    date_failures: dateFailures,
  };
}
