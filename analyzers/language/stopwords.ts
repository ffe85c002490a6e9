/**
 * Short, distinctive function-word lists for the languages franc confuses or cannot judge in short
 * text. Words shared by two of these languages ("a", "de", "que", "e") are left out on purpose.
 */
export const STOPWORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    'the and is are was were this that its with for you your not but have has had what they them very just love like my of to in on at it i so'.split(
      ' ',
    ),
  ),
  es: new Set(
    'el los las del por para una uno es está están pero muy más con como lo le les mi yo sí también porque cuando esto esta este pues nada bien gracias hola qué y'.split(
      ' ',
    ),
  ),
  pt: new Set(
    'o os as do da dos das um uma é está são não mas muito mais com como eu meu minha você também porque quando isso isto este esta nada bem obrigado obrigada olá ele ela em no na'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le les des du un une est sont pas mais très plus avec comme je tu il elle nous vous ce cette pour dans sur et ou où bien merci bonjour oui non'.split(
      ' ',
    ),
  ),
  de: new Set(
    'der die das und ist sind nicht aber sehr mehr mit wie ich du er sie wir ihr ein eine für auf zu im dem den des ja nein danke gut'.split(
      ' ',
    ),
  ),
};
