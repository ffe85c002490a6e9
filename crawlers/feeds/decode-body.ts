import { detectLegacyCharset } from './detect-charset.ts';
import { replaceUnsafeCharacters } from './replace-unsafe-characters.ts';

/** A feed body turned into text, with how that was done. */
export interface DecodedBody {
  text: string;
  /** Upper-case charset name, e.g. `UTF-8`, `UTF-16LE`, `KOI8-R`. */
  encoding: string;
  /** Why the decoding was a guess (undeclared legacy charset, unknown label, ...), or null. */
  problem: string | null;
}

const UTF8_ALIASES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'unicode-1-1-utf-8']);

/**
 * Turns fetched bytes into text the way an XML processor would: byte-order mark, then the
 * UTF-16/32 signature of `<?xml`, then the HTTP charset, then the XML declaration, then UTF-8,
 * and only when the bytes are not UTF-8 a guess among legacy charsets. Invalid sequences become
 * U+FFFD and NULs are replaced, so the result is always safe to store. Never throws.
 */
export function decodeFeedBody(body: Buffer | Uint8Array | string, httpCharset: string | null): DecodedBody {
  if (typeof body === 'string') {
    return { text: replaceUnsafeCharacters(body.replace(/^\uFEFF/, '')), encoding: 'UTF-8', problem: null };
  }
  const bytes = body;
  const bom = sniffSignature(bytes);
  if (bom) {
    const text = decodeWith(bom.label, bytes.subarray(bom.skip));
    return { text: replaceUnsafeCharacters(text), encoding: bom.label.toUpperCase(), problem: null };
  }
  const declared = readXmlDeclarationEncoding(bytes);
  for (const label of [httpCharset, declared]) {
    if (!label) continue;
    const normalized = label.trim().toLowerCase();
    if (UTF8_ALIASES.has(normalized)) {
      if (isValidUtf8(bytes)) return utf8(bytes, null);
      continue;
    }
    if (normalized.startsWith('utf-16') || normalized.startsWith('utf-32')) continue; // no signature: a lie
    const resolved = resolveLabel(normalized);
    if (resolved) {
      return {
        text: replaceUnsafeCharacters(decodeWith(resolved, bytes)),
        encoding: label.trim().toUpperCase(),
        problem: null,
      };
    }
  }
  if (isValidUtf8(bytes)) {
    const unknown = [httpCharset, declared].find((l) => l && !resolveLabel(l.trim().toLowerCase()));
    return utf8(bytes, unknown ? `unknown charset "${unknown}"` : null);
  }
  const { valid, invalid } = countUtf8Sequences(bytes);
  if (valid >= invalid) return utf8(bytes, 'invalid UTF-8 sequences replaced with U+FFFD');
  const guess = detectLegacyCharset(bytes);
  return {
    text: replaceUnsafeCharacters(decodeWith(guess.label, bytes)),
    encoding: guess.name,
    problem: `bytes are not valid UTF-8 and declare no charset; decoded as ${guess.name}`,
  };
}

function utf8(bytes: Uint8Array, problem: string | null): DecodedBody {
  return { text: replaceUnsafeCharacters(decodeWith('utf-8', bytes)), encoding: 'UTF-8', problem };
}

function decodeWith(label: string, bytes: Uint8Array): string {
  if (label === 'utf-32le' || label === 'utf-32be') return decodeUtf32(bytes, label === 'utf-32le');
  return new TextDecoder(label, { ignoreBOM: true }).decode(bytes);
}

function resolveLabel(label: string): string | null {
  if (label === 'utf-32' || label === 'utf-32le' || label === 'utf-32be') return null;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Counts well-formed multi-byte UTF-8 sequences and invalid bytes, to tell damaged UTF-8 from a legacy charset. */
function countUtf8Sequences(b: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x80) continue;
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) ok = (b[i + k] & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += need;
    } else invalid++;
  }
  return { valid, invalid };
}

function sniffSignature(b: Uint8Array): { label: string; skip: number } | null {
  const at = (i: number) => (i < b.length ? b[i] : -1);
  if (at(0) === 0x00 && at(1) === 0x00 && at(2) === 0xfe && at(3) === 0xff)
    return { label: 'utf-32be', skip: 4 };
  if (at(0) === 0xff && at(1) === 0xfe && at(2) === 0x00 && at(3) === 0x00)
    return { label: 'utf-32le', skip: 4 };
  if (at(0) === 0xef && at(1) === 0xbb && at(2) === 0xbf) return { label: 'utf-8', skip: 3 };
  if (at(0) === 0xfe && at(1) === 0xff) return { label: 'utf-16be', skip: 2 };
  if (at(0) === 0xff && at(1) === 0xfe) return { label: 'utf-16le', skip: 2 };
  if (at(0) === 0x00 && at(1) === 0x00 && at(2) === 0x00 && at(3) === 0x3c)
    return { label: 'utf-32be', skip: 0 };
  if (at(0) === 0x3c && at(1) === 0x00 && at(2) === 0x00 && at(3) === 0x00)
    return { label: 'utf-32le', skip: 0 };
  if (at(0) === 0x00 && at(1) === 0x3c && at(2) === 0x00) return { label: 'utf-16be', skip: 0 };
  if (at(0) === 0x3c && at(1) === 0x00 && at(2) !== 0x00) return { label: 'utf-16le', skip: 0 };
  return null;
}

function readXmlDeclarationEncoding(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']/.exec(head);
  return m ? m[1] : null;
}

function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    parts.push(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD');
  }
  return parts.join('');
}

/** Reads the charset parameter of a Content-Type header value, or null. */
export function readCharset(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? m[1] : null;
}
