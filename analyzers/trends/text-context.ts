/**
 * A 32-bit FNV-1a hash of a mention's wording with case, URLs, @handles, digits and punctuation
 * ignored, so re-posts of one sentence share a context. Cheap enough for the per-mention hot path.
 */
export function textContext(text: string): number {
  let h = 0x811c9dc5;
  let skipping = false;
  let lastWasSpace = true;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (skipping) {
      if (c === 32 || c === 10 || c === 9) skipping = false;
      continue;
    }
    if (c === 64 /* @ */ || (c === 104 /* h */ && lastWasSpace && text.startsWith('http', i))) {
      skipping = true;
      continue;
    }
    if (c >= 65 && c <= 90) c += 32;
    const letter = (c >= 97 && c <= 122) || c > 127;
    if (!letter) {
      lastWasSpace = true;
      continue;
    }
    if (lastWasSpace) {
      h ^= 32;
      h = Math.imul(h, 0x01000193);
      lastWasSpace = false;
    }
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
