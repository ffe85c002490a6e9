/**
 * Expands Romance adjective lemmas given in the masculine singular ("bueno", "caro") into the four
 * gender/number forms, so a curated list of a few hundred lemmas covers the forms people write.
 * Words not ending in -o only get a plural.
 */
export function inflectRomance(lemmas: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [lemma, valence] of Object.entries(lemmas)) {
    out[lemma] = valence;
    if (lemma.includes(' ')) continue;
    if (lemma.endsWith('o')) {
      const stem = lemma.slice(0, -1);
      out[`${stem}a`] ??= valence;
      out[`${stem}os`] ??= valence;
      out[`${stem}as`] ??= valence;
    } else if (/[aeé]$/.test(lemma)) {
      out[`${lemma}s`] ??= valence;
    } else if (/[lrzn]$/.test(lemma)) {
      out[`${lemma.replace(/z$/, 'c')}es`] ??= valence;
    }
  }
  return out;
}
