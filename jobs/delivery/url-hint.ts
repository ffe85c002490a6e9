/**
 * Webhook URLs are secrets (Slack's carry the token in the path). People see a hint: the host and the last
 * four characters, e.g. `hooks.slack.com/…Xy9Z`.
 */
export function urlHint(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const rest = `${u.pathname}${u.search}`;
    return `${u.host}/…${rest.length > 4 ? rest.slice(-4) : ''}`;
  } catch {
    return '…';
  }
}

/** Replaces the URL (and its path and query, which may carry a token) in a message with its hint. */
export function redactUrl(text: string, url: string | undefined): string {
  if (!url) return text;
  let out = text.split(url).join(urlHint(url) ?? '…');
  try {
    const u = new URL(url);
    for (const part of [u.pathname, u.search, u.href]) {
      if (part.length > 4) out = out.split(part).join('/…');
    }
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}
