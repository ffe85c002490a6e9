import type { LexiconLanguage } from './types.ts';

/** The function words the rules react to, per language. All lower case. */
export interface RuleWords {
  /** Flip the polarity of the next sentiment words in the same clause. */
  negators: Set<string>;
  /** Multi-word negators ("no longer", "ya no"), matched as a unit. */
  negatorPhrases: string[][];
  /** Scale a following sentiment word: > 0 intensifies, < 0 diminishes (VADER-style increments). */
  boosters: Map<string, number>;
  /** Clause after it outweighs the clause before it ("but", "pero", "mas"). */
  contrastAfter: Set<string>;
  /** Clause it opens is the weaker one ("although", "aunque", "embora"). */
  concessive: Set<string>;
  /** "less greasy": half-flips the next sentiment word. */
  lessWords: Set<string>;
  /** Words that open a comparison ("than", "que", "do que"); used to dampen the compared side. */
  comparatives: Set<string>;
  /** Cues that a positive surface is ironic ("yeah right"). Matched on the lowercased text. */
  ironyCues: string[];
}

const NEGATORS_EN = [
  'not',
  'no',
  'never',
  'nor',
  'neither',
  'nobody',
  'none',
  'nothing',
  'nowhere',
  'without',
  'hardly',
  'barely',
  'scarcely',
  'cannot',
  'cant',
  "can't",
  'dont',
  "don't",
  'doesnt',
  "doesn't",
  'didnt',
  "didn't",
  'isnt',
  "isn't",
  'arent',
  "aren't",
  'wasnt',
  "wasn't",
  'werent',
  "weren't",
  'wont',
  "won't",
  'wouldnt',
  "wouldn't",
  'shouldnt',
  "shouldn't",
  'couldnt',
  "couldn't",
  'havent',
  "haven't",
  'hasnt',
  "hasn't",
  'hadnt',
  "hadn't",
  'aint',
  "ain't",
  'mustnt',
  "mustn't",
  'neednt',
  "needn't",
  'darent',
  "daren't",
];

const BOOSTERS_EN: Record<string, number> = {
  absolutely: 0.293,
  amazingly: 0.293,
  awfully: 0.293,
  completely: 0.293,
  considerably: 0.293,
  decidedly: 0.293,
  deeply: 0.293,
  enormously: 0.293,
  entirely: 0.293,
  especially: 0.293,
  exceptionally: 0.293,
  extremely: 0.293,
  fabulously: 0.293,
  greatly: 0.293,
  highly: 0.293,
  hugely: 0.293,
  incredibly: 0.293,
  insanely: 0.293,
  intensely: 0.293,
  majorly: 0.293,
  more: 0.293,
  most: 0.293,
  particularly: 0.293,
  purely: 0.293,
  quite: 0.293,
  really: 0.293,
  remarkably: 0.293,
  so: 0.293,
  soo: 0.293,
  sooo: 0.293,
  substantially: 0.293,
  super: 0.293,
  thoroughly: 0.293,
  totally: 0.293,
  tremendously: 0.293,
  truly: 0.293,
  unbelievably: 0.293,
  unusually: 0.293,
  utterly: 0.293,
  very: 0.293,
  too: 0.2,
  such: 0.2,
  freaking: 0.293,
  fucking: 0.293,
  damn: 0.2,
  almost: -0.293,
  barely: -0.293,
  hardly: -0.293,
  kinda: -0.293,
  kindof: -0.293,
  less: -0.293,
  little: -0.293,
  marginally: -0.293,
  occasionally: -0.293,
  partly: -0.293,
  rather: -0.15,
  scarcely: -0.293,
  slightly: -0.293,
  somewhat: -0.293,
  sorta: -0.293,
  fairly: -0.2,
  mildly: -0.293,
  reasonably: -0.15,
  bit: -0.293,
};

const BOOSTERS_ES: Record<string, number> = {
  muy: 0.293,
  mucho: 0.293,
  muchísimo: 0.35,
  super: 0.293,
  súper: 0.293,
  demasiado: 0.25,
  totalmente: 0.293,
  realmente: 0.293,
  extremadamente: 0.293,
  increíblemente: 0.293,
  bastante: 0.2,
  tan: 0.293,
  re: 0.2,
  sumamente: 0.293,
  absolutamente: 0.293,
  tremendamente: 0.293,
  más: 0.25,
  poco: -0.293,
  algo: -0.2,
  ligeramente: -0.293,
  apenas: -0.293,
  medio: -0.2,
  casi: -0.293,
};

const BOOSTERS_PT: Record<string, number> = {
  muito: 0.293,
  muita: 0.293,
  muitíssimo: 0.35,
  super: 0.293,
  demais: 0.293,
  bem: 0.2,
  totalmente: 0.293,
  realmente: 0.293,
  extremamente: 0.293,
  incrivelmente: 0.293,
  bastante: 0.2,
  tão: 0.293,
  tao: 0.293,
  absolutamente: 0.293,
  mais: 0.25,
  pouco: -0.293,
  meio: -0.2,
  ligeiramente: -0.293,
  quase: -0.293,
  levemente: -0.293,
};

function ruleWords(spec: {
  negators: string[];
  negatorPhrases: string[];
  boosters: Record<string, number>;
  contrastAfter: string[];
  concessive: string[];
  lessWords: string[];
  comparatives: string[];
  ironyCues: string[];
}): RuleWords {
  return {
    negators: new Set(spec.negators),
    negatorPhrases: spec.negatorPhrases.map((p) => p.split(' ')),
    boosters: new Map(Object.entries(spec.boosters)),
    contrastAfter: new Set(spec.contrastAfter),
    concessive: new Set(spec.concessive),
    lessWords: new Set(spec.lessWords),
    comparatives: new Set(spec.comparatives),
    ironyCues: spec.ironyCues,
  };
}

/** Rule vocabularies for each lexicon language. */
export const RULE_WORDS: Record<LexiconLanguage, RuleWords> = {
  en: ruleWords({
    negators: NEGATORS_EN,
    negatorPhrases: ['no longer', 'not at all', 'not even', 'by no means', 'far from'],
    boosters: BOOSTERS_EN,
    contrastAfter: ['but', 'however', 'yet', 'nevertheless', 'nonetheless'],
    concessive: ['although', 'though', 'despite', 'even though', 'albeit'],
    lessWords: ['less'],
    comparatives: ['than'],
    ironyCues: [
      'yeah right',
      'yeah, right',
      '/s',
      '#sarcasm',
      'not!',
      'thanks a lot',
      'just what i needed',
      'oh great',
      'oh, great',
      'so much for',
    ],
  }),
  es: ruleWords({
    negators: [
      'no',
      'nunca',
      'jamás',
      'jamas',
      'ni',
      'nada',
      'nadie',
      'ningún',
      'ningun',
      'ninguna',
      'ninguno',
      'sin',
      'tampoco',
    ],
    negatorPhrases: ['ya no', 'para nada', 'en absoluto'],
    boosters: BOOSTERS_ES,
    contrastAfter: ['pero', 'sin embargo', 'sino', 'aun así', 'no obstante'],
    concessive: ['aunque', 'a pesar de', 'pese a', 'si bien'],
    lessWords: ['menos'],
    comparatives: ['que'],
    ironyCues: ['sí claro', 'si claro', 'sí, claro', 'qué bien', 'que bien', 'genial...', '#sarcasmo'],
  }),
  pt: ruleWords({
    negators: [
      'não',
      'nao',
      'nunca',
      'jamais',
      'nem',
      'nada',
      'ninguém',
      'ninguem',
      'nenhum',
      'nenhuma',
      'sem',
      'tampouco',
    ],
    negatorPhrases: ['não mais', 'já não', 'de jeito nenhum', 'de forma alguma'],
    boosters: BOOSTERS_PT,
    contrastAfter: ['mas', 'porém', 'porem', 'contudo', 'todavia', 'entretanto', 'no entanto'],
    concessive: ['embora', 'apesar de', 'mesmo que', 'ainda que'],
    lessWords: ['menos'],
    comparatives: ['que'],
    ironyCues: ['sei, sei', 'ah tá', 'ah ta', 'só que não', 'so que nao', 'que ótimo...', '#sarcasmo'],
  }),
};
