/** A word list with valences on AFINN's -5..+5 scale, plus multi-word phrases keyed by their first word. */
export interface Lexicon {
  words: Map<string, number>;
  /** First word → phrases starting with it, longest first. */
  phrases: Map<string, Phrase[]>;
}

export interface Phrase {
  words: string[];
  valence: number;
}

/**
 * Builds a lexicon from word→valence records; later records override earlier ones, so curated domain
 * terms can be layered on top of a general base. Keys holding spaces or hyphens become phrases too.
 */
export function buildLexicon(...sources: Record<string, number>[]): Lexicon {
  const words = new Map<string, number>();
  const phraseByKey = new Map<string, Phrase>();
  for (const source of sources) {
    for (const [rawKey, valence] of Object.entries(source)) {
      const key = rawKey.toLowerCase().replace(/’/g, "'").replace(/^\*/, '').trim();
      if (!key) continue;
      const parts = key.split(/[\s-]+/).filter(Boolean);
      if (parts.length === 1) words.set(parts[0], valence);
      else phraseByKey.set(parts.join(' '), { words: parts, valence });
      // "long-lasting" is also a single token when the tokenizer keeps hyphens out; both forms resolve.
      if (key.includes('-') && !key.includes(' ')) words.set(key.replace(/-/g, ''), valence);
    }
  }
  const phrases = new Map<string, Phrase[]>();
  for (const phrase of phraseByKey.values()) {
    const list = phrases.get(phrase.words[0]) ?? [];
    list.push(phrase);
    phrases.set(phrase.words[0], list);
  }
  for (const list of phrases.values()) list.sort((a, b) => b.words.length - a.words.length);
  return { words, phrases };
}
