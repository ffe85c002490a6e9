import { describe, expect, it } from 'vitest';
import { type EntityQuery, matchEntities } from '../../../analyzers/mentions/index.ts';

const luminaBeauty: EntityQuery = {
  key: 'lumina-beauty',
  name: 'Lumina Beauty',
  kind: 'brand',
  aliases: ['Lumina', 'Lumina Glow Serum'],
  exclude: ['lamp', 'lamps', 'lighting', 'bulb'],
};
const luminaLighting: EntityQuery = {
  key: 'lumina-lighting',
  name: 'Lumina Lighting',
  kind: 'competitor',
  aliases: ['Lumina lamps'],
  exclude: ['beauty', 'serum'],
};
const solene: EntityQuery = {
  key: 'solene',
  name: 'Solène',
  kind: 'competitor',
  aliases: ['Solene Paris'],
  exclude: [],
  languages: ['fr', 'en'],
};

const keys = (
  text: string,
  title: string | null = null,
  entities = [luminaBeauty, luminaLighting, solene],
  lang?: string,
) => [...new Set(matchEntities(text, title, entities, { lang }).map((m) => m.key))];

describe('matchEntities', () => {
  it('matches the name as whole words, case-insensitively, with offsets and the text as written', () => {
    const text = 'Honestly LUMINA BEAUTY nailed it.';
    expect(matchEntities(text, null, [luminaBeauty])).toEqual([
      { key: 'lumina-beauty', kind: 'brand', field: 'text', offset: 9, matched: 'LUMINA BEAUTY' },
    ]);
  });

  it('keeps the lamp brand and the beauty brand apart with exclusions', () => {
    expect(keys('My new Lumina lamp is too bright for the bedroom')).toEqual([]);
    expect(keys('Lumina Lighting just launched smart lamps')).toEqual(['lumina-lighting']);
    expect(keys('Lumina Beauty serum made my skin glow')).toEqual(['lumina-beauty']);
    expect(keys('Lumina lamps vs the Lumina Beauty ring light')).toEqual([]);
  });

  it('does not match inside longer words', () => {
    expect(keys('Luminary skincare and luminance tricks')).toEqual([]);
    expect(keys('Visit illumina beauty spa')).toEqual([]);
  });

  it('matches aliases, preferring the longest at one offset', () => {
    const m = matchEntities('The Lumina Glow Serum is back', null, [luminaBeauty]);
    expect(m).toEqual([
      { key: 'lumina-beauty', kind: 'brand', field: 'text', offset: 4, matched: 'Lumina Glow Serum' },
    ]);
  });

  it('matches hashtags and handles, glued or with underscores', () => {
    const text = 'Loving #LuminaBeauty today, thanks @luminabeauty and @lumina_beauty!';
    const m = matchEntities(text, null, [luminaBeauty]);
    expect(m.map((x) => x.matched)).toEqual(['#LuminaBeauty', '@luminabeauty', '@lumina_beauty']);
    expect(text.slice(m[1].offset, m[1].offset + m[1].matched.length)).toBe('@luminabeauty');
    expect(keys('#LuminaBeautyFail was trending')).toEqual([]);
  });

  it('is accent-insensitive both ways and reports original offsets', () => {
    const text = 'Já experimentei a SOLENE e a Lúmina Beauty';
    const m = matchEntities(text, null, [luminaBeauty, solene]);
    expect(m.map((x) => [x.key, x.matched, x.offset])).toEqual([
      ['solene', 'SOLENE', 18],
      ['lumina-beauty', 'Lúmina Beauty', 29],
    ]);
    const decomposed = 'cre\u0301me by Sole\u0300ne';
    expect(matchEntities(decomposed, null, [solene])[0]).toMatchObject({
      matched: 'Sole\u0300ne',
      offset: 10,
    });
  });

  it('searches the title too, title first', () => {
    const m = matchEntities('Swatches inside.', 'Lumina Beauty haul', [luminaBeauty]);
    expect(m).toEqual([
      { key: 'lumina-beauty', kind: 'brand', field: 'title', offset: 0, matched: 'Lumina Beauty' },
    ]);
    // An exclusion in the title excludes the whole mention.
    expect(keys('Lumina review', 'Best desk lamp 2024')).toEqual([]);
  });

  it('applies required (all) and any (at least one)', () => {
    const launch: EntityQuery = {
      key: 'glow-launch',
      name: 'Lumina Beauty',
      kind: 'product',
      aliases: [],
      exclude: [],
      required: ['serum'],
      any: ['launch', 'new', 'lançamento'],
    };
    expect(keys('Lumina Beauty serum launch next week', null, [launch])).toEqual(['glow-launch']);
    expect(keys('Lumina Beauty launch next week', null, [launch])).toEqual([]);
    expect(keys('Lumina Beauty serum restock', null, [launch])).toEqual([]);
    expect(keys('Lançamento: sérum da Lumina Beauty', null, [launch])).toEqual(['glow-launch']);
  });

  it('filters by language only when the mention has one', () => {
    expect(keys('Solène est incroyable', null, [solene], 'fr')).toEqual(['solene']);
    expect(keys('Solène es increíble', null, [solene], 'es')).toEqual([]);
    expect(keys('Solène es increíble', null, [solene], 'en-GB')).toEqual(['solene']);
    expect(keys('Solène es increíble', null, [solene])).toEqual(['solene']);
  });

  it('ignores entities whose terms have no letters', () => {
    expect(matchEntities('!!!', null, [{ ...luminaBeauty, name: '!!', aliases: [] }])).toEqual([]);
  });

  it('matches an entity added to a list already used (the all-names prefilter is rebuilt)', () => {
    const list: EntityQuery[] = [luminaBeauty];
    expect(matchEntities('Solène Paris opened a store', null, list)).toEqual([]);
    list.push(solene);
    expect(matchEntities('Solène Paris opened a store', null, list).map((m) => m.key)).toEqual(['solene']);
    list[1] = luminaLighting;
    expect(matchEntities('Solène Paris opened a store', null, list)).toEqual([]);
    expect(matchEntities('new Lumina lamps', null, list).map((m) => m.key)).toEqual(['lumina-lighting']);
  });
});
