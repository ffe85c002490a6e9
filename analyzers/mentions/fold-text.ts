/** Text folded for matching, with each folded UTF-16 unit's offset in the original string. */
export interface FoldedText {
  text: string;
  /** `origin[i]` is the original offset of folded unit i; `origin[text.length]` is the original length. */
  origin: number[];
}

const MARKS = /\p{M}/gu;

// Per-character folds are context-free (each character is folded alone), so they can be remembered. Bounded so
// that hostile text cycling through every code point cannot grow it without limit.
const foldedChars = new Map<string, string>();
const MAX_REMEMBERED = 20_000;

/** Lower-case, accent-free form of one character (`É` → `e`, `ß` → `ss`, `ﬁ` → `fi`). */
function foldChar(ch: string): string {
  let folded = foldedChars.get(ch);
  if (folded === undefined) {
    folded = ch.normalize('NFKD').replace(MARKS, '').toLowerCase();
    if (foldedChars.size < MAX_REMEMBERED) foldedChars.set(ch, folded);
  }
  return folded;
}

/** Length of the run of ASCII units starting at `from`. */
function asciiRun(text: string, from: number): number {
  let j = from;
  while (j < text.length && text.charCodeAt(j) < 0x80) j++;
  return j - from;
}

/**
 * Folds `text`, calling `at(foldedLength, originalOffset)` for each folded unit when given. ASCII runs are
 * lower-cased whole (NFKD leaves ASCII as it is), other characters one code point at a time.
 */
function foldWith(text: string, at: ((units: number, offset: number) => void) | null): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const run = asciiRun(text, i);
    if (run > 0) {
      out += text.slice(i, i + run).toLowerCase();
      if (at) at(run, i);
      i += run;
      continue;
    }
    const len = text.codePointAt(i)! > 0xffff ? 2 : 1;
    const folded = foldChar(text.slice(i, i + len));
    out += folded;
    if (at && folded.length) at(-folded.length, i);
    i += len;
  }
  return out;
}

class Folded implements FoldedText {
  private map: number[] | null = null;
  constructor(
    readonly text: string,
    private readonly source: string,
  ) {}

  /** Built on first use only: most texts are matched against and never reported from. */
  get origin(): number[] {
    if (this.map === null) {
      const map: number[] = [];
      foldWith(this.source, (units, offset) => {
        // A positive count is an ASCII run (one unit each, in order); a negative one, one character's fold.
        if (units > 0) for (let k = 0; k < units; k++) map.push(offset + k);
        else for (let k = 0; k < -units; k++) map.push(offset);
      });
      map.push(this.source.length);
      this.map = map;
    }
    return this.map;
  }
}

/**
 * Folds text for case- and accent-insensitive matching while remembering where every folded
 * character came from, so matches can be reported at their original offsets.
 */
export function foldText(text: string): FoldedText {
  return new Folded(fold(text), text);
}

/** The folded form alone, for terms and comparisons. */
export function fold(text: string): string {
  return asciiRun(text, 0) === text.length ? text.toLowerCase() : foldWith(text, null);
}
