/** ISO 639-3 (franc) → ISO 639-1 for the languages we detect by default. */
export const ISO639_3_TO_1: Readonly<Record<string, string>> = {
  eng: 'en',
  spa: 'es',
  por: 'pt',
  fra: 'fr',
  deu: 'de',
  ita: 'it',
  nld: 'nl',
  pol: 'pl',
  ron: 'ro',
  swe: 'sv',
  ces: 'cs',
  hun: 'hu',
  tur: 'tr',
  ind: 'id',
  vie: 'vi',
  tgl: 'tl',
  rus: 'ru',
  ukr: 'uk',
  bul: 'bg',
  bel: 'be',
  arb: 'ar',
  pes: 'fa',
  urd: 'ur',
  hin: 'hi',
  cmn: 'zh',
  jpn: 'ja',
  kor: 'ko',
  tha: 'th',
  ell: 'el',
  heb: 'he',
  ben: 'bn',
  tam: 'ta',
  tel: 'te',
  swh: 'sw',
  hrv: 'hr',
  srp: 'sr',
};

/** The reverse table, for turning an `only` list of 639-1 codes into franc's 639-3 codes. */
export const ISO639_1_TO_3: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ISO639_3_TO_1).map(([three, one]) => [one, three]),
);

/** Languages considered when the caller gives no `only` list. */
export const DEFAULT_LANGUAGES: readonly string[] = Object.values(ISO639_3_TO_1);
