/** Text folded for matching, with each folded UTF-16 unit's offset in the original string. */
export interface FoldedText {
  text: string;
  /** `origin[i]` is the original offset of folded unit i; `origin[text.length]` is the original length. */
  origin: number[];
}

const MARKS = /\p{M}/gu;

/** Lower-case, accent-free form of one character (`É` → `e`, `ß` → `ss`, `ﬁ` → `fi`). */
function foldChar(ch: string): string {
  return ch.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/**
 * Folds text for case- and accent-insensitive matching while remembering where every folded
 * character came from, so matches can be reported at their original offsets.
 */
export function foldText(text: string): FoldedText {
  let out = '';
  const origin: number[] = [];
  let i = 0;
  for (const ch of text) {
    const folded = foldChar(ch);
    for (let k = 0; k < folded.length; k++) origin.push(i);
    out += folded;
    i += ch.length;
  }
  origin.push(i);
  return { text: out, origin };
}

/** The folded form alone, for terms and comparisons. */
export function fold(text: string): string {
  return foldText(text).text;
}
