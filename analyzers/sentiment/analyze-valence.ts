import { ASPECT_INDEX } from './aspect-keywords.ts';
import type { Lexicon, Phrase } from './lexicon.ts';
import { AUX_LEXICONS } from './lexicon-aux.ts';
import { EMOTICONS, LEXICON_EN } from './lexicon-en.ts';
import { LEXICON_ES } from './lexicon-es.ts';
import { LEXICON_PT } from './lexicon-pt.ts';
import { VADER_ANY, VADER_EMOTICONS, VADER_NEGATORS, VADER_WORDS } from './lexicon-vader.ts';
import { RULE_WORDS } from './rule-words.ts';
import { decodeEntities, type Token, TokenKind, tokenize } from './tokenize.ts';
import type { Aspect, LexiconLanguage } from './types.ts';
import { hashString, WordTable } from './word-table.ts';

/** Token kinds as module-local constants: the hot loops read these rather than an imported binding. */
const WORD = TokenKind.Word;
const PUNCT = TokenKind.Punct;
const EMOTICON = TokenKind.Emoticon;

/** VADER's constants (Hutto & Gilbert 2014), which fit AFINN's similar -5..+5 scale well enough. */
const NEGATION_SCALAR = -0.74;
const CAPS_INCREMENT = 0.733;
const ELONGATION_INCREMENT = 0.293;
const EXCLAMATION_INCREMENT = 0.292;
const NORMALIZATION_ALPHA = 15;
/** How many words after a negator its scope reaches (within the clause). */
const NEGATION_REACH = 5;
/** A power of two: PassState halves running sums with it, which is exact. */
const CONTRAST_BEFORE = 0.5;
const CONTRAST_AFTER = 1.5;
const CONCESSIVE_WEIGHT = 0.5;
const COMPARED_SIDE_WEIGHT = 0.5;
const QUESTION_WEIGHT = 0.6;
/** VADER's question-mark amplifier: 0.18 per "?" when there are two or three, 0.96 from four on. */
const QUESTION_INCREMENT = 0.18;
const QUESTION_INCREMENT_MAX = 0.96;
const IRONY_FLIP = -0.5;

const LEXICONS: Record<LexiconLanguage, Lexicon> = { en: LEXICON_EN, es: LEXICON_ES, pt: LEXICON_PT };

/** A clause: the span between clause punctuation or contrast connectives. */
export interface Clause {
  start: number;
  end: number;
  /** Weighted valence of the clause's own sentiment words (before contrast re-weighting). */
  sum: number;
  hits: number;
}

/** Everything the rule pass learned about a text; features for the model and evidence for aspects. */
export interface ValenceAnalysis {
  /** Weighted valence sum after all rules, on AFINN's scale. */
  sum: number;
  /** `sum` squashed to [-1, 1] like VADER's compound. */
  compound: number;
  positive: number;
  negative: number;
  /** The same rule pass over VADER's word ratings (English only; 0 elsewhere), on VADER's −4..+4 scale. */
  vaderSum: number;
  vaderCompound: number;
  vaderPositive: number;
  vaderNegative: number;
  /** Social-post cues the tokenizer drops: @handles and links; and whether no letter is upper case. */
  handles: number;
  links: number;
  lowerOnly: boolean;
  /** Hashtags, and emoji or emoticon tokens (rated or not): with handles and links, social-post style. */
  hashtags: number;
  emotes: number;
  /** Sum of secondary-lexicon polarities ([-1, 1] each, negation applied) over words AFINN lacks. */
  auxSum: number;
  /** Sentiment-bearing units found (words, phrases, emoji). */
  hits: number;
  negations: number;
  exclamations: number;
  questions: number;
  contrast: boolean;
  irony: boolean;
  words: number;
  clauses: Clause[];
  aspectHits: { aspect: Aspect; clause: number }[];
  /**
   * Lower-cased words, negated ones prefixed with `!`, emoji and emoticons as typed; filled only when
   * `collectTerms` is set (training and evidence), since scoring needs only `termIds`.
   */
  terms: string[];
  /** `terms` as the model's term ids (−1 for a term the model does not know); English only. */
  termIds: number[];
}

type ConnectiveKind = 'contrast' | 'concessive' | 'negator';

interface Connective {
  words: string[];
  kind: ConnectiveKind;
}

/**
 * Everything the rule pass needs to know about one word, merged from the lexicon, the rule words, the
 * aspect keywords and the secondary lexicon so each token costs one table look-up. Kept small (what
 * most words carry: ids and valences), since tens of thousands of entries do not stay in cache; the
 * roles only a few hundred words have sit in `rules`.
 */
interface WordInfo {
  /** The table key this entry is stored under (an elongated "goood" resolves to "good"'s entry). */
  key: string;
  /** Only carries model term ids: no lexicon or rule role. */
  bare: boolean;
  /** The model's ids for this word as a term, plain and negated; see `setModelTermIds`. */
  termId: number | undefined;
  negTermId: number | undefined;
  valence: number | undefined;
  vader: number | undefined;
  aux: number | undefined;
  rules: WordRules | undefined;
}

/** Rule roles and phrase starts of a word; most words have none. */
interface WordRules {
  phrases: Phrase[] | undefined;
  connectives: Connective[] | undefined;
  negator: boolean | undefined;
  booster: number | undefined;
  less: boolean | undefined;
  comparative: boolean | undefined;
  comparativeMarker: boolean | undefined;
  aspect: Aspect | undefined;
  aspectPhrases: { words: string[]; aspect: Aspect }[] | undefined;
  /** Negates under VADER's own rule (its NEGATE list or "n't", three words back, "no" just before). */
  vaderNegator: boolean | undefined;
  /** First word of an irony cue ("yeah" of "yeah right"): the cue pattern is tried where it stands. */
  ironyCue: boolean | undefined;
}

/** Every entry gets every field, so the pass's property reads see one object shape (monomorphic). */
function newWordInfo(key: string, bare: boolean): WordInfo {
  return {
    key,
    bare,
    termId: undefined,
    negTermId: undefined,
    valence: undefined,
    vader: undefined,
    aux: undefined,
    rules: undefined,
  };
}

function newWordRules(): WordRules {
  return {
    phrases: undefined,
    connectives: undefined,
    negator: undefined,
    booster: undefined,
    less: undefined,
    comparative: undefined,
    comparativeMarker: undefined,
    aspect: undefined,
    aspectPhrases: undefined,
    vaderNegator: undefined,
    ironyCue: undefined,
  };
}

/** Comparative markers that make a following "que" (es/pt) introduce the compared side. */
const COMPARATIVE_MARKERS = ['más', 'mas', 'menos', 'mejor', 'peor', 'mais', 'melhor', 'pior'];

function buildWordTable(lang: LexiconLanguage): WordTable<WordInfo> {
  const table = new WordTable<WordInfo>();
  const info = (w: string): WordInfo => {
    let i = table.get(w);
    if (i === undefined) {
      i = newWordInfo(w, false);
      table.set(i);
    }
    return i;
  };
  const rulesOf = (w: string): WordRules => {
    const i = info(w);
    i.rules ??= newWordRules();
    return i.rules;
  };
  const lex = LEXICONS[lang];
  const rules = RULE_WORDS[lang];
  for (const [w, v] of lex.words) info(w).valence = v;
  for (const [w, list] of lex.phrases) rulesOf(w).phrases = list;
  const connectives: Connective[] = [
    ...[...rules.contrastAfter].map((c) => ({ words: c.split(' '), kind: 'contrast' as const })),
    ...[...rules.concessive].map((c) => ({ words: c.split(' '), kind: 'concessive' as const })),
    ...rules.negatorPhrases.map((words) => ({ words, kind: 'negator' as const })),
  ];
  for (const c of connectives) {
    const r = rulesOf(c.words[0]);
    r.connectives = [...(r.connectives ?? []), c].sort((x, y) => y.words.length - x.words.length);
  }
  for (const w of rules.negators) rulesOf(w).negator = true;
  for (const [w, b] of rules.boosters) rulesOf(w).booster = b;
  for (const w of rules.lessWords) rulesOf(w).less = true;
  for (const w of rules.comparatives) rulesOf(w).comparative = true;
  for (const w of COMPARATIVE_MARKERS) rulesOf(w).comparativeMarker = true;
  for (const cue of rules.ironyCues) {
    const first = cue.replace(/^[#/]/, '').split(/[\s,!.]/)[0];
    if (first) rulesOf(first).ironyCue = true;
  }
  const aspects = ASPECT_INDEX[lang];
  for (const [w, a] of aspects.words) rulesOf(w).aspect = a;
  for (const [w, list] of aspects.phrases) rulesOf(w).aspectPhrases = list;
  for (const [w, v] of AUX_LEXICONS[lang]) if (!lex.words.has(w)) info(w).aux = v;
  if (lang === 'en') {
    for (const [w, v] of VADER_WORDS) info(w).vader = v;
    for (const w of VADER_NEGATORS) rulesOf(w).vaderNegator = true;
    for (const w of rules.negators) if (w.endsWith("n't")) rulesOf(w).vaderNegator = true;
  }
  return table;
}

const WORD_TABLES: Record<LexiconLanguage, WordTable<WordInfo>> = {
  en: buildWordTable('en'),
  es: buildWordTable('es'),
  pt: buildWordTable('pt'),
};
const EMOJI_TABLE = WORD_TABLES.en;

/**
 * Gives English terms (words, `!`-negated words, emoji, emoticons) the model's ids, adding bare table
 * entries for words with no lexicon or rule role, so the pass emits ids and the model never hashes
 * term strings. Called once by the model module when it loads.
 */
export function setModelTermIds(ids: Map<string, number>): void {
  const table = WORD_TABLES.en;
  for (const [term, id] of ids) {
    const negated = term.length > 1 && term.startsWith('!');
    const word = negated ? term.slice(1) : term;
    let info = table.get(word);
    if (info === undefined) {
      info = newWordInfo(word, true);
      table.set(info);
    }
    if (negated) info.negTermId = id;
    else info.termId = id;
  }
}

/** True when a letter repeats three times in a row ("soooo"), without a regex per word. */
function isElongated(w: string): boolean {
  for (let i = 2; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === w.charCodeAt(i - 1) && c === w.charCodeAt(i - 2)) return true;
  }
  return false;
}

function deelongate(word: string, keep: number): string {
  return word.replace(/(.)\1{2,}/g, keep === 2 ? '$1$1' : '$1');
}

/** Word info, trying elongated spellings ("goooood") collapsed to two and then one letter. */
function lookupWord(table: WordTable<WordInfo>, t: Token): WordInfo | undefined {
  const low = t.low;
  const info = table.getHashed(t.hash, low);
  if (info !== undefined || low.length < 3 || !isElongated(low)) return info;
  return table.get(deelongate(low, 2)) ?? table.get(deelongate(low, 1));
}

function matchesAt(tokens: Token[], i: number, words: string[]): boolean {
  if (i + words.length > tokens.length) return false;
  for (let k = 1; k < words.length; k++) {
    const t = tokens[i + k];
    if (t.kind !== WORD || t.low !== words[k]) return false;
  }
  return true;
}

function firstMatch<T extends { words: string[] }>(
  list: T[] | undefined,
  tokens: Token[],
  i: number,
): T | undefined {
  if (list === undefined) return undefined;
  for (const item of list) if (matchesAt(tokens, i, item.words)) return item;
  return undefined;
}

/** Marks tokens inside a sentence that ends with a question mark. */
function questionMask(tokens: Token[]): Uint8Array {
  const mask = new Uint8Array(tokens.length);
  let inQuestion = false;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i];
    if (t.kind === PUNCT) {
      if (t.low.includes('?')) inQuestion = true;
      else if (t.low.includes('!') || t.low.startsWith('.') || t.low === '…') inQuestion = false;
    }
    if (inQuestion) mask[i] = 1;
  }
  return mask;
}

/** Irony cues, sticky: tried only where a cue's first word stands, not scanned over every text. */
const IRONY_PATTERNS: Record<LexiconLanguage, RegExp> = {
  en: ironyPattern(RULE_WORDS.en.ironyCues),
  es: ironyPattern(RULE_WORDS.es.ironyCues),
  pt: ironyPattern(RULE_WORDS.pt.ironyCues),
};

function ironyPattern(cues: string[]): RegExp {
  return new RegExp(cues.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'iy');
}

/** Whether an irony cue starts at `start` (or one character before it, for "#sarcasm" and "/s"). */
function ironyAt(pattern: RegExp, text: string, start: number): boolean {
  for (let pos = start > 0 ? start - 1 : start; pos <= start; pos++) {
    pattern.lastIndex = pos;
    if (pattern.test(text)) return true;
  }
  return false;
}

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** VADER's negation test: a negator among the three words before, or "no" right before. */
function vaderNegated(tokens: Token[], infos: (WordInfo | undefined)[], i: number): boolean {
  for (let k = 1, seen = 0; seen < 3 && i - k >= 0; k++) {
    const t = tokens[i - k];
    if (t.kind === PUNCT) continue;
    seen++;
    if (
      infos[i - k]?.rules?.vaderNegator ||
      (seen === 1 && (t.kind !== WORD || t.hash === HASH_NO) && t.low === 'no')
    )
      return true;
  }
  return false;
}

/**
 * Hashes of the words the VADER checks below look for. A word token's `hash` is `hashString(low)`, so
 * comparing it first rejects other words with an integer test instead of a string comparison (a
 * builtin call), on every rated word.
 */
const HASH_NO = hashString('no');
const HASH_SO = hashString('so');
const HASH_THIS = hashString('this');
const HASH_NEVER = hashString('never');
const HASH_LEAST = hashString('least');
const HASH_AT = hashString('at');
const HASH_VERY = hashString('very');

const isWordAt = (tokens: Token[], i: number, word: string, hash: number): boolean =>
  i >= 0 && i < tokens.length && tokens[i].kind === WORD && tokens[i].hash === hash && tokens[i].low === word;

/** "never … so X" / "never … this X" (English): "so" or "this" right before, "never" two or three back. */
function neverSoBefore(tokens: Token[], i: number): boolean {
  return (
    (isWordAt(tokens, i - 1, 'so', HASH_SO) || isWordAt(tokens, i - 1, 'this', HASH_THIS)) &&
    (isWordAt(tokens, i - 2, 'never', HASH_NEVER) || isWordAt(tokens, i - 3, 'never', HASH_NEVER))
  );
}

/** "least" at `i` not preceded by "at" or "very" (English): negates the next rated word. */
function leastAt(tokens: Token[], i: number): boolean {
  return (
    isWordAt(tokens, i, 'least', HASH_LEAST) &&
    !isWordAt(tokens, i - 1, 'at', HASH_AT) &&
    !isWordAt(tokens, i - 1, 'very', HASH_VERY)
  );
}

/** VADER's per-word modifiers on one valence: "less" half-flip, boosters/caps/elongation, negation. */
function modify(valence: number, less: boolean, increment: number, negated: boolean): number {
  if (valence === 0) return 0;
  let v = (less ? -0.5 * valence : valence) + sign(valence) * increment;
  if (negated) v *= NEGATION_SCALAR;
  return v;
}

const UPPER_ASCII = /[A-Z]/;

/** Any ASCII capital; a scan, not a lower-cased copy of the text. */
function hasUpperCase(text: string): boolean {
  return UPPER_ASCII.test(text);
}

function hasLowerCase(text: string): boolean {
  return text !== text.toUpperCase();
}

/** Mutable state of one rule pass; a class rather than closures so nothing is allocated per call. */
class PassState {
  /**
   * Running sums of the weighted contributions (AFINN, then VADER): total, positive part, negative
   * part, and how many AFINN contributions are non-zero. A contrast halves what came before by halving
   * these; halving is exact in floating point, so this equals halving each contribution and summing.
   */
  sum = 0;
  positive = 0;
  negative = 0;
  hits = 0;
  vaderSum = 0;
  vaderPositive = 0;
  vaderNegative = 0;
  readonly clauses: Clause[] = [];
  readonly aspectHits: { aspect: Aspect; clause: number }[] = [];
  readonly terms: string[] = [];
  readonly termIds: number[] = [];
  clause: Clause | null = null;
  clauseFirstToken = 0;
  negLeft = 0;
  afterWeight = 1;
  concessive = false;
  compared = false;
  comparativeSeen = false;

  constructor(
    readonly questionMask: Uint8Array | null,
    readonly collectTerms: boolean,
  ) {}

  /** Records a term (string for training and evidence, id for the model). */
  term(low: string, info: WordInfo | undefined, negated: boolean): void {
    if (info === undefined) {
      if (this.collectTerms) this.terms.push(negated ? `!${low}` : low);
      this.termIds.push(-1);
      return;
    }
    if (this.collectTerms) this.terms.push(negated ? `!${info.key}` : info.key);
    this.termIds.push((negated ? info.negTermId : info.termId) ?? -1);
  }

  closeClause(nextFirst: number): void {
    this.clause = null;
    this.clauseFirstToken = nextFirst;
    this.negLeft = 0;
    this.concessive = false;
    this.compared = false;
    this.comparativeSeen = false;
  }

  currentClause(t: Token): number {
    if (this.clause === null) {
      this.clause = { start: t.start, end: t.end, sum: 0, hits: 0 };
      this.clauses.push(this.clause);
    } else this.clause.end = t.end;
    return this.clauses.length - 1;
  }

  /** Weighs everything added so far by `CONTRAST_BEFORE` (a power of two, so the sums stay exact). */
  contrastBefore(): void {
    this.sum *= CONTRAST_BEFORE;
    this.positive *= CONTRAST_BEFORE;
    this.negative *= CONTRAST_BEFORE;
    this.vaderSum *= CONTRAST_BEFORE;
    this.vaderPositive *= CONTRAST_BEFORE;
    this.vaderNegative *= CONTRAST_BEFORE;
  }

  /** Adds one unit's AFINN and VADER valence; VADER's only clause rule is the contrast weighting. */
  add(value: number, vader: number, i: number): void {
    let w = this.afterWeight;
    if (this.concessive) w *= CONCESSIVE_WEIGHT;
    if (this.compared) w *= COMPARED_SIDE_WEIGHT;
    if (this.questionMask !== null && this.questionMask[i] === 1) w *= QUESTION_WEIGHT;
    const v = value * w;
    this.sum += v;
    if (v > 0) this.positive += v;
    else this.negative -= v;
    if (v !== 0) this.hits++;
    const vv = vader * this.afterWeight;
    this.vaderSum += vv;
    if (vv > 0) this.vaderPositive += vv;
    else this.vaderNegative -= vv;
    const c = this.clause!;
    c.sum += value;
    c.hits++;
  }
}

/**
 * The rule pass: lexicon look-up (words, phrases, emoji, emoticons) with negation scope, boosters and
 * diminishers, "less", contrast and concessive weighting, comparatives, ALL CAPS, elongation,
 * exclamation, questions and irony cues. Pure; allocates only what it returns.
 */
export function analyzeValence(text: string, lang: LexiconLanguage, collectTerms = false): ValenceAnalysis {
  const table = WORD_TABLES[lang];
  let auxSum = 0;
  // Token offsets are into the entity-decoded text; the irony cues are matched against that text.
  const tokenText = text.includes('&') ? decodeEntities(text) : text;
  const tokens = tokenize(tokenText, true);
  const n = tokens.length;
  let hasLower: boolean | undefined;
  const st = new PassState(text.includes('?') ? questionMask(tokens) : null, collectTerms);
  const { clauses, aspectHits, terms, termIds } = st;
  let negations = 0;
  let exclamations = 0;
  let questions = 0;
  let words = 0;
  let contrast = false;
  let irony = false;
  let emotes = 0;
  const infos: (WordInfo | undefined)[] = new Array(n);
  // Whether the text has an ASCII capital: a word written with one settles it without scanning the text.
  let upper = false;
  for (let k = 0; k < n; k++) {
    const t = tokens[k];
    if (t.kind !== WORD) continue;
    infos[k] = lookupWord(table, t);
    if (!upper && t.raw !== t.low) upper = UPPER_ASCII.test(t.raw);
  }

  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    if (t.kind === PUNCT) {
      const p = t.low;
      for (let k = 0; k < p.length; k++) {
        const ch = p.charCodeAt(k);
        if (ch === 33)
          exclamations++; // !
        else if (ch === 63) questions++; // ?
      }
      st.closeClause(i + 1);
      continue;
    }
    if (t.kind !== WORD) {
      const emoticon = t.kind === EMOTICON;
      emotes++;
      const v = emoticon ? (EMOTICONS[t.raw] ?? 0) : (EMOJI_TABLE.get(t.raw)?.valence ?? 0);
      const vv = emoticon ? (VADER_EMOTICONS.get(t.raw) ?? VADER_ANY.get(t.raw.toLowerCase()) ?? 0) : v * 0.8;
      st.term(t.low, EMOJI_TABLE.get(t.raw), false);
      st.currentClause(t);
      if (v || vv) st.add(v, vv, i);
      continue;
    }
    const low = t.low;
    words++;
    const info = infos[i];
    if (info?.rules?.ironyCue === true && !irony) irony = ironyAt(IRONY_PATTERNS[lang], tokenText, t.start);
    if (info === undefined || info.bare === true) {
      st.currentClause(t);
      st.term(low, info, st.negLeft > 0);
      if (st.negLeft > 0) st.negLeft--;
      continue;
    }

    const rules = info.rules;
    // Most words start no phrase: the list is tested here, so firstMatch is called (and takes its
    // share of the optimizer's inlining budget) only where one starts, leaving it to hotter helpers.
    const connectives = rules?.connectives;
    const connective = connectives === undefined ? undefined : firstMatch(connectives, tokens, i);
    if (connective !== undefined) {
      i += connective.words.length - 1;
      st.term(low, info, false);
      if (connective.kind === 'negator') {
        st.currentClause(tokens[i]);
        negations++;
        st.negLeft = NEGATION_REACH;
        continue;
      }
      st.closeClause(i + 1);
      if (connective.kind === 'contrast') {
        contrast = true;
        st.contrastBefore();
        st.afterWeight = CONTRAST_AFTER;
      } else {
        st.concessive = true;
      }
      continue;
    }

    const clauseIndex = st.currentClause(t);
    if (rules?.aspect !== undefined) aspectHits.push({ aspect: rules.aspect, clause: clauseIndex });
    else {
      const aspectPhrases = rules?.aspectPhrases;
      const ap = aspectPhrases === undefined ? undefined : firstMatch(aspectPhrases, tokens, i);
      if (ap !== undefined) aspectHits.push({ aspect: ap.aspect, clause: clauseIndex });
    }

    const phrases = rules?.phrases;
    const phrase = phrases === undefined ? undefined : firstMatch(phrases, tokens, i);
    let valence: number | undefined;
    let vader = 0;
    let span = 1;
    if (phrase !== undefined) {
      valence = phrase.valence;
      vader = phrase.valence * 0.8;
      span = phrase.words.length;
    } else {
      if (rules?.negator) {
        negations++;
        st.negLeft = NEGATION_REACH;
        st.term(low, info, false);
        // VADER rates "no" (-1.2) itself unless it determines a rated word ("no problem").
        if (info.vader !== undefined && infos[i + 1]?.vader === undefined) st.add(0, info.vader, i);
        continue;
      }
      if (rules?.comparative && (lang === 'en' || st.comparativeSeen)) {
        st.compared = true;
        st.term(low, info, false);
        continue;
      }
      if (rules?.comparativeMarker) st.comparativeSeen = true;
      const next = tokens[i + 1];
      if (
        rules?.booster !== undefined &&
        next !== undefined &&
        next.kind === WORD &&
        ((info.valence === undefined && info.vader === undefined) ||
          infos[i + 1]?.valence !== undefined ||
          infos[i + 1]?.vader !== undefined)
      ) {
        st.term(low, info, false);
        if (st.negLeft > 0) st.negLeft--;
        continue;
      }
      valence = info.valence;
      vader = info.vader ?? 0;
    }
    // VADER's "least" check: "least X" reads as "not X", but "at least" and "very least" do not.
    // And "never so good" / "never this good" is emphasis, not negation (VADER's "never so" check).
    const leastBefore = lang === 'en' && leastAt(tokens, i - 1);
    const neverSo = lang === 'en' && neverSoBefore(tokens, i);
    const negated = (st.negLeft > 0 && !neverSo) || leastBefore;
    st.term(low, info, negated);
    if (valence === undefined || valence === 0) {
      if (info.aux !== undefined) auxSum += negated ? -info.aux : info.aux;
      if (vader === 0) {
        if (st.negLeft > 0) st.negLeft--;
        continue;
      }
    }
    let less = false;
    let boost = 0;
    for (let k = 1; k <= 3 && i - k >= st.clauseFirstToken; k++) {
      const prev = tokens[i - k];
      if (prev.kind !== WORD) break;
      const prevInfo = infos[i - k];
      if (prevInfo === undefined) continue;
      const prevRules = prevInfo.rules;
      if (prevRules === undefined) continue;
      if (prevRules.booster !== undefined) boost += prevRules.booster * (k === 1 ? 1 : k === 2 ? 0.95 : 0.9);
      if (k === 1 && prevRules.less) less = true;
    }
    let increment = boost;
    // An elongated word resolves to its collapsed spelling's entry, whose key differs from what was written.
    if (span === 1 && low.length >= 3 && info.key !== low) increment += ELONGATION_INCREMENT;
    if (t.shouted) {
      hasLower ??= hasLowerCase(text);
      if (hasLower) increment += CAPS_INCREMENT;
    }
    st.add(
      modify(valence ?? 0, less, increment, negated),
      modify(vader, less, increment, leastBefore || (!neverSo && vaderNegated(tokens, infos, i))),
      i,
    );
    if (span > 1) {
      for (let k = 1; k < span; k++) st.term(tokens[i + k].low, infos[i + k], false);
      i += span - 1;
      st.clause!.end = tokens[i].end;
    }
    if (st.negLeft > 0) st.negLeft--;
  }

  let sum = st.sum;
  const { positive, negative, hits, vaderPositive, vaderNegative } = st;
  let vaderSum = st.vaderSum;

  if (irony && sum > 0) sum *= IRONY_FLIP;
  if (exclamations > 0) {
    const bang = Math.min(exclamations, 4) * EXCLAMATION_INCREMENT;
    sum += sign(sum) * bang;
    vaderSum += sign(vaderSum) * bang;
  }
  if (questions > 1) {
    vaderSum += sign(vaderSum) * (questions <= 3 ? questions * QUESTION_INCREMENT : QUESTION_INCREMENT_MAX);
  }
  const compound = sum / Math.sqrt(sum * sum + NORMALIZATION_ALPHA);
  return {
    sum,
    compound,
    positive,
    negative,
    vaderSum,
    vaderCompound: vaderSum / Math.sqrt(vaderSum * vaderSum + NORMALIZATION_ALPHA),
    vaderPositive,
    vaderNegative,
    auxSum,
    hits,
    handles: text.includes('@') ? 1 : 0,
    links: text.includes('http') || text.includes('www.') ? 1 : 0,
    lowerOnly: !(upper || hasUpperCase(text)),
    hashtags: text.includes('#') ? 1 : 0,
    emotes,
    negations,
    exclamations,
    questions,
    contrast,
    irony,
    words,
    clauses,
    aspectHits,
    terms,
    termIds,
  };
}
