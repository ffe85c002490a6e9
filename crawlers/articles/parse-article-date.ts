/**
 * Normalises a date as article pages state it (ISO 8601 with or without offset, `2019-11-18`,
 * `20191118T103000Z`, RFC 2822, Unix seconds or milliseconds) to ISO-8601 UTC. A date-time without
 * an offset is taken as UTC. Returns null for anything unparseable or outside 1990–2100.
 */
export function parseArticleDate(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text = value.trim();
  if (text === '') return null;
  let ms: number;
  if (/^\d{10}$/.test(text)) ms = Number(text) * 1000;
  else if (/^\d{13}$/.test(text)) ms = Number(text);
  else {
    const compact = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z)?$/.exec(text);
    if (compact) {
      const [, y, mo, d, h = '00', mi = '00', s = '00'] = compact;
      text = `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
    }
    text = text.replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2');
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
    else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
    // `+0100` → `+01:00`, which every engine parses.
    text = text.replace(/([+-]\d{2})(\d{2})$/, (m, h: string, mi: string) =>
      /T\d/.test(text) || /\d:\d/.test(text) ? `${h}:${mi}` : m,
    );
    ms = Date.parse(text);
  }
  if (Number.isNaN(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  if (year < 1990 || year > 2100) return null;
  return new Date(ms).toISOString();
}
