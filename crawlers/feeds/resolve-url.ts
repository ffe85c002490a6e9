/**
 * Resolves `ref` against `base` (RFC 3986) after trimming the whitespace feeds leave around URLs.
 * Returns `ref` unchanged (trimmed) when there is no usable base or it does not parse; never throws.
 */
export function resolveUrl(ref: string, base: string | null): string {
  const trimmed = ref.trim();
  if (!base) return trimmed;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return trimmed;
  }
}

/** True when `url` is absolute with a scheme (`http:`, `mailto:`, `tag:`, ...). */
export function isAbsoluteUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url.trim());
}

/** Elements and attributes holding URLs inside HTML, which are resolved against the feed's base. */
const URL_ATTRIBUTES: ReadonlyMap<string, readonly string[]> = new Map([
  ['a', ['href']],
  ['applet', ['codebase']],
  ['area', ['href']],
  ['audio', ['src']],
  ['blockquote', ['cite']],
  ['body', ['background']],
  ['del', ['cite']],
  ['form', ['action']],
  ['frame', ['longdesc', 'src']],
  ['iframe', ['longdesc', 'src']],
  ['head', ['profile']],
  ['img', ['longdesc', 'src', 'usemap']],
  ['input', ['src', 'usemap']],
  ['ins', ['cite']],
  ['link', ['href']],
  ['object', ['classid', 'codebase', 'data', 'usemap']],
  ['q', ['cite']],
  ['script', ['src']],
  ['source', ['src']],
  ['video', ['poster', 'src']],
]);

const TAG = /<([a-zA-Z][a-zA-Z0-9:-]*)(\s[^<>]*?)?(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)/g;

/**
 * Rewrites relative URLs in the URL-bearing attributes of an HTML fragment, leaving the rest of
 * the markup byte for byte as it was. Never throws.
 */
export function resolveHtmlUrls(html: string, base: string | null): string {
  if (!base || !html.includes('<')) return html;
  return html.replace(TAG, (tag, name: string, attrs: string | undefined, slash: string) => {
    const wanted = URL_ATTRIBUTES.get(name.toLowerCase());
    if (!wanted || !attrs) return tag;
    const rewritten = attrs.replace(ATTRIBUTE, (whole, attr: string, eq: string, raw: string) => {
      if (!wanted.includes(attr.toLowerCase())) return whole;
      const quote = raw[0] === '"' || raw[0] === "'" ? raw[0] : '';
      const value = quote ? raw.slice(1, -1) : raw;
      const resolved = resolveUrl(decodeAttributeAmp(value), base)
        .replace(/&/g, '&amp;')
        .replace(/"/g, '&quot;');
      return `${attr}${eq}"${resolved}"`;
    });
    return `<${name}${rewritten}${slash}>`;
  });
}

function decodeAttributeAmp(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'");
}
