/**
 * Short, distinctive function-word lists for the languages franc confuses or cannot judge in short
 * text. A word that is also a common word of another language here is left out: shared ones ("a", "de",
 * "que", "le", "como", "está", "das", "mais", "un"), English look-alikes (Portuguese "as", "do", "o", "no",
 * Spanish "yo", French "non", German "die", "den", "er", "gut": one of those made "Lawyers as well as their
 * clients…" Portuguese), and English words German or French use as much ("in", "an", "so", "was", "will",
 * "on"). English adds the everyday words of short social posts (a tweet often has no function word at all).
 */
export const STOPWORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    [
      'the and is are were this that its with for you your not but have has had what they them very just',
      'love like my of to at it i be would can could should about from get got going',
      "i'm it's don't can't that's we he she his her our their all out up if or been when who how why",
      'good bad great awesome amazing hate today tonight morning day night time lol omg wow thanks',
    ]
      .join(' ')
      .split(' '),
  ),
  es: new Set(
    'el los las del por para una uno es están pero muy más con lo les mi sí también cuando esto pues gracias hola qué'.split(
      ' ',
    ),
  ),
  pt: new Set(
    'os uma é são não muito com eu meu minha você também quando isso isto obrigado obrigada olá ele ela em na'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'une est sont pas très plus avec je tu il elle nous vous ce cette pour dans sur et où merci bonjour oui'.split(
      ' ',
    ),
  ),
  de: new Set(
    'der und ist sind nicht aber sehr mehr mit wie ich sie wir ein eine für auf zu im dem nein danke'.split(
      ' ',
    ),
  ),
};
