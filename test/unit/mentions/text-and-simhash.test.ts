import { describe, expect, it } from 'vitest';
import {
  foldText,
  fromSignedBigint,
  hammingDistance,
  MAX_TEXT_LENGTH,
  nearDuplicateOf,
  normalizeText,
  simhash64,
  toSignedBigint,
} from '../../../analyzers/mentions/index.ts';

describe('normalizeText', () => {
  it('removes NUL and control characters, keeps U+FFFD, collapses whitespace', () => {
    expect(normalizeText('  a\u0000b\tc\r\n\r\nd\u0007e \uFFFD  ')).toBe('ab c de \uFFFD');
  });

  it('composes to NFC and replaces lone surrogates', () => {
    expect(normalizeText('cre\u0300me')).toBe('cr\u00e8me');
    expect(normalizeText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(normalizeText('ok 😀')).toBe('ok 😀');
  });

  it('decoded invalid UTF-8 and Latin-1-as-UTF-8 bytes end up valid and NUL-free', () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x00, 0x20, 0xc3, 0x28, 0xef, 0xbb, 0xbf, 0x6f, 0x6b]);
    const out = normalizeText(bytes.toString('utf8'));
    expect(out).not.toContain('\u0000');
    expect(out).not.toContain('\uFEFF');
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
    expect(out).toBe('caf\uFFFD \uFFFD(ok');
  });

  it('caps length without splitting a surrogate pair', () => {
    expect(normalizeText('a'.repeat(MAX_TEXT_LENGTH + 50))).toHaveLength(MAX_TEXT_LENGTH);
    const capped = normalizeText(`ab😀`, 3);
    expect(capped).toBe('ab');
  });
});

const ORIGINAL =
  'Lumina Beauty announced on Monday that its Glow Serum will be reformulated without fragrance after ' +
  'months of customer complaints about irritation. The new version arrives in stores in March at the same ' +
  'price, and existing bottles can be exchanged at any retailer until the end of April, the company said. ' +
  'Chief executive Marta Okafor told analysts that the reformulation cost less than two percent of annual ' +
  'revenue and that early tests with dermatologists in Lisbon and Seoul showed fewer reactions. Retail ' +
  'partners welcomed the decision, although some questioned why it took so long. Shares of the parent ' +
  'group rose slightly in morning trading, while rival Solene Paris declined to comment on whether it ' +
  'would follow with its own fragrance-free range before the summer season.';

describe('simhash64 and near duplicates', () => {
  const original = simhash64(ORIGINAL);

  it('finds reposts and syndicated copies within 3 bits', () => {
    const copies = [
      `RT @glowgetter: ${ORIGINAL}`,
      `${ORIGINAL} https://lumina.example/news?utm_source=x`,
      ORIGINAL.toUpperCase().replace(/\s+/g, '  '),
      `LISBON (Reuters) - ${ORIGINAL}`,
    ];
    for (const copy of copies)
      expect(hammingDistance(original, simhash64(copy)), copy).toBeLessThanOrEqual(3);
  });

  it('an edited copy (one word changed) is closer than unrelated text but may exceed 3 bits', () => {
    const edited = hammingDistance(original, simhash64(ORIGINAL.replace('Monday', 'Tuesday')));
    expect(edited).toBeLessThan(16);
    const credited = hammingDistance(
      original,
      simhash64(`LISBON (Reuters) - ${ORIGINAL} Reporting by Ana Silva.`),
    );
    expect(credited).toBeLessThan(16);
  });

  it('keeps different posts apart', () => {
    const others = [
      'Lumina Beauty announced on Monday a new lipstick line with twelve shades, launching in June across Europe and Brazil.',
      'Solene Paris cut prices on its whole serum range by twenty percent this weekend only, online and in stores.',
      'My Lumina lamp broke after two weeks and customer service never answered, avoid this brand.',
      'The Glow Serum is my holy grail, I have repurchased it four times and my skin has never been better.',
    ];
    for (const other of others) expect(hammingDistance(original, simhash64(other)), other).toBeGreaterThan(3);
  });

  it('nearDuplicateOf returns the closest candidate within the limit, else null', () => {
    const candidates = [
      {
        id: 'other',
        hash: simhash64('Completely unrelated text about the weather in Lisbon this spring season.'),
      },
      { id: 'orig', hash: original },
    ];
    expect(nearDuplicateOf(simhash64(`RT @a: ${ORIGINAL}`), candidates)).toBe('orig');
    expect(
      nearDuplicateOf(simhash64('Solene Paris opens a flagship store in Madrid next month.'), candidates),
    ).toBeNull();
    expect(nearDuplicateOf(original, [])).toBeNull();
  });

  it('is deterministic and handles empty or short text', () => {
    expect(simhash64(ORIGINAL)).toBe(original);
    expect(simhash64('')).toBe(0n);
    expect(simhash64('hi')).not.toBe(0n);
    expect(original >= 0n && original < 1n << 64n).toBe(true);
  });

  it('round-trips through a signed Postgres bigint', () => {
    const big = (1n << 63n) + 12345n;
    const signed = toSignedBigint(big);
    expect(signed).toBe(-(1n << 63n) + 12345n);
    expect(signed >= -(1n << 63n) && signed < 1n << 63n).toBe(true);
    expect(fromSignedBigint(signed)).toBe(big);
    expect(toSignedBigint(42n)).toBe(42n);
    expect(hammingDistance(signed, big)).toBe(0);
  });
});

describe('stored values stay comparable across versions', () => {
  // Hashes are stored with each mention and compared with those of mentions stored later: a faster
  // implementation must give the very same bits (these were computed by the first implementation).
  it('simhash64 gives the values it always gave', () => {
    const pinned: [string, string][] = [
      ['Glow Co foundation is honestly worth every penny 😍', '1655880009857406984'],
      [
        'El labial de Lumina Beauty no vale lo que cuesta, atención al cliente nunca respondió 😒',
        '8900910625037509259',
      ],
      ['RT @glowdaily: Ｇｌａｓｓ skin — ﬁnally! https://t.co/x', '7009599028642669645'],
      ['two words', '9261107559656394276'],
      ['Straße İstanbul ÇA VA', '12128903067409711264'],
    ];
    for (const [text, hash] of pinned) expect(simhash64(text).toString(), text).toBe(hash);
  });

  it('foldText maps every folded unit back to its original offset', () => {
    const f = foldText('Crème ﬁne Straße 😍 x');
    expect(f.text).toBe('creme fine straße 😍 x');
    expect(f.origin).toEqual([
      0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 17, 19, 20, 21,
    ]);
    expect(foldText('e\u0301cole').origin).toEqual([0, 2, 3, 4, 5, 6]);
    expect(foldText('ASCII Only').origin).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
