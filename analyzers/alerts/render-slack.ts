/**
 * Slack Block Kit messages for alerts and digests. Pure. Crawled text is escaped for mrkdwn (`&`, `<`, `>`), so
 * a product called `<!channel>` or `<https://evil|click>` shows as text; every limit Slack enforces is applied
 * here, truncating with a "…see dashboard" link, so Slack never answers `invalid_blocks`.
 */

/** Slack's documented limits for incoming webhooks and Block Kit. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  text: 40_000,
} as const;

/** What a rendered alert needs; a stored alert joined with its rule. */
export interface RenderableAlert {
  id: number;
  ruleName: string;
  title: string;
  body: string;
  severity: string;
  subject: string;
  createdAt: Date | string;
  payload: Record<string, unknown>;
}

export interface RenderOptions {
  /** Where people reach the dashboard, e.g. `https://radar.example.com` (no trailing slash). */
  publicUrl: string;
}

export type SlackText = { type: 'mrkdwn' | 'plain_text'; text: string };
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A `<url|label>` link, or the escaped label alone when the URL is not plain http(s). */
export function slackLink(url: string | null | undefined, label: string): string {
  const safeLabel = escapeMrkdwn(label).replace(/\|/g, '¦');
  if (!url || !/^https?:\/\//i.test(url)) return safeLabel;
  const safeUrl = url.replace(/[<>|\s"]/g, (c) => encodeURIComponent(c));
  return `<${safeUrl}|${safeLabel}>`;
}

/** Cuts mrkdwn to `max` characters without splitting an entity or a surrogate pair, then appends `suffix`. */
function cut(text: string, max: number, suffix: string): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.max(0, max - suffix.length));
  head = head.replace(/&[a-z]{0,4}$/, '').replace(/[\uD800-\uDBFF]$/, '');
  // A cut inside a <link|label> would leave an unclosed link: drop the partial link.
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>')) head = head.slice(0, open);
  return head + suffix;
}

function seeDashboard(url: string): string {
  return ` …${slackLink(url, 'see dashboard')}`;
}

const mrkdwn = (text: string): SlackText => ({ type: 'mrkdwn', text });
/** Slack decodes `&amp; &lt; &gt;` in plain_text too, so escaping keeps `<!channel>` inert there as well. */
const plain = (text: string): SlackText => ({ type: 'plain_text', text: escapeMrkdwn(text) });

function reportUrl(o: RenderOptions, alertId: number): string {
  return `${o.publicUrl}/alerts/${alertId}`;
}

function iso(d: Date | string): string {
  return new Date(d).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** One alert as a Block Kit message: header, key fields, the body, evidence and a link to the report. */
export function renderSlackAlert(a: RenderableAlert, o: RenderOptions): SlackMessage {
  const link = reportUrl(o, a.id);
  const p = a.payload;
  const fields: SlackText[] = [
    mrkdwn(`*Severity*\n${escapeMrkdwn(a.severity)}`),
    mrkdwn(`*Rule*\n${escapeMrkdwn(a.ruleName)}`),
  ];
  if (p.competitor) fields.push(mrkdwn(`*Competitor*\n${escapeMrkdwn(String(p.competitor))}`));
  fields.push(mrkdwn(`*Subject*\n${escapeMrkdwn(a.subject)}`));
  const evidence = typeof p.url === 'string' ? p.url : null;
  const context = [mrkdwn(`${iso(a.createdAt)}`)];
  if (evidence) context.unshift(mrkdwn(`Evidence: ${slackLink(evidence, shortUrl(evidence))}`));
  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(a.title) },
    { type: 'section', fields },
  ];
  if (a.body.trim()) blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(a.body)) });
  blocks.push({ type: 'context', elements: context });
  blocks.push({ type: 'section', text: mrkdwn(slackLink(link, 'Open in Market Radar')) });
  const text = `${escapeMrkdwn(a.title)}${a.body ? ` — ${escapeMrkdwn(a.body)}` : ''} (${link})`;
  return fitSlackLimits({ text, blocks, unfurl_links: false, unfurl_media: false }, link);
}

/** Items listed one by one in a digest; the rest are counted and linked. */
const DIGEST_ITEMS = 40;
const DIGEST_ITEM_BODY = 280;

/** Many alerts in one message: one section per alert (title linked to its report), then "…and N more". */
export function renderSlackDigest(
  alerts: RenderableAlert[],
  period: { start: Date; end: Date },
  o: RenderOptions,
): SlackMessage {
  const dashboard = `${o.publicUrl}/alerts`;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: plain(`Market Radar digest: ${alerts.length} alert${alerts.length === 1 ? '' : 's'}`),
    },
    { type: 'context', elements: [mrkdwn(`${iso(period.start)} to ${iso(period.end)}`)] },
  ];
  const lines: string[] = [];
  for (const a of alerts.slice(0, DIGEST_ITEMS)) {
    const body = a.body.trim() ? `\n${cut(escapeMrkdwn(a.body), DIGEST_ITEM_BODY, '…')}` : '';
    blocks.push({ type: 'section', text: mrkdwn(`*${slackLink(reportUrl(o, a.id), a.title)}*${body}`) });
    lines.push(`• ${escapeMrkdwn(a.title)}`);
  }
  if (alerts.length > DIGEST_ITEMS) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`…and ${alerts.length - DIGEST_ITEMS} more: ${slackLink(dashboard, 'see dashboard')}`),
    });
  }
  const text = `Market Radar digest: ${alerts.length} alerts\n${lines.join('\n')}`;
  return fitSlackLimits({ text, blocks, unfurl_links: false, unfurl_media: false }, dashboard);
}

/** A short, human label for an evidence URL: host and path, cut. */
function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    const label = `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
    return label.length > 80 ? `${label.slice(0, 79)}…` : label;
  } catch {
    return url.slice(0, 80);
  }
}

/**
 * Enforces Slack's limits on any message: header ≤ 150, section text ≤ 3,000, field ≤ 2,000, ≤ 10 fields,
 * ≤ 50 blocks, `text` ≤ 40,000. Over-long parts end with a "…see dashboard" link to `moreUrl`.
 */
export function fitSlackLimits(m: SlackMessage, moreUrl: string): SlackMessage {
  const more = seeDashboard(moreUrl);
  const blocks = m.blocks.map((b): SlackBlock => {
    if (b.type === 'header') return { ...b, text: plainRaw(cut(b.text.text, SLACK_LIMITS.headerText, '…')) };
    if (b.type === 'section')
      return {
        ...b,
        ...(b.text ? { text: fitText(b.text, SLACK_LIMITS.sectionText, more) } : {}),
        ...(b.fields
          ? {
              fields: b.fields
                .slice(0, SLACK_LIMITS.fields)
                .map((f) => fitText(f, SLACK_LIMITS.fieldText, more)),
            }
          : {}),
      };
    if (b.type === 'context')
      return {
        ...b,
        elements: b.elements
          .slice(0, SLACK_LIMITS.contextElements)
          .map((e) => fitText(e, SLACK_LIMITS.fieldText, more)),
      };
    return b;
  });
  if (blocks.length > SLACK_LIMITS.blocks) {
    blocks.length = SLACK_LIMITS.blocks - 1;
    blocks.push({
      type: 'section',
      text: mrkdwn(`…more in Market Radar: ${slackLink(moreUrl, 'see dashboard')}`),
    });
  }
  return { ...m, text: cut(m.text, SLACK_LIMITS.text, more), blocks };
}

function fitText(t: SlackText, max: number, more: string): SlackText {
  return t.type === 'plain_text' ? plainRaw(cut(t.text, max, '…')) : mrkdwn(cut(t.text, max, more));
}

/** Already-escaped plain text. */
const plainRaw = (text: string): SlackText => ({ type: 'plain_text', text });
