import { toPlainText } from '../feeds/index.ts';

const INLINE_TAG = /<\/?(?:a|span|i|b|em|strong|u|s|code|small|sup|sub|mark|abbr|bdi)\b[^<>]*>/gi;

/**
 * Post HTML (Mastodon `content`, HN `comment_text`) to plain text: inline tags vanish without a
 * space (so `#<span>tag</span>` stays `#tag`), block tags and `<br>` become spaces, references are
 * decoded and whitespace collapsed. Never throws.
 */
export function htmlToText(html: string | null): string {
  return toPlainText((html ?? '').replace(INLINE_TAG, ''));
}
