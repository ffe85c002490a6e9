// Pure parts of delivery: Slack rendering within limits (W3) and escaping (S6), Standard Webhooks signatures
// checked with the reference library (W6), response classification (W2/W5), digest periods, rule validation.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  digestPeriod,
  escapeMrkdwn,
  matchAlertRule,
  type RenderableAlert,
  renderSlackAlert,
  renderSlackDigest,
  SLACK_LIMITS,
  validateRule,
} from '../../../analyzers/index.ts';
import { slackPayloadError } from '../../../demo/fake-slack.ts';
import {
  classifyResponse,
  generateWebhookSecret,
  redactUrl,
  retryDelay,
  urlHint,
  webhookHeaders,
} from '../../../jobs/delivery/index.ts';

const o = { publicUrl: 'https://radar.example.com' };
const alert = (over: Partial<RenderableAlert> = {}): RenderableAlert => ({
  id: 7,
  ruleName: 'Price drop',
  title: 'GlowCo cut Velvet Lipstick by 20%',
  body: '25.00 EUR → 20.00 EUR',
  severity: 'info',
  subject: 'product:1',
  createdAt: new Date('2026-03-01T10:00:00Z'),
  payload: { competitor: 'GlowCo', url: 'https://glowco.test/p/velvet?x=1&y=<2>' },
  ...over,
});

function checkLimits(m: ReturnType<typeof renderSlackAlert>) {
  expect(slackPayloadError(JSON.parse(JSON.stringify(m)))).toBeNull();
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
}

describe('W3: Slack limits', () => {
  it('a 60,000-character mention, a 5,000-character section and an 80-item digest all fit', () => {
    const huge = renderSlackAlert(alert({ body: 'y'.repeat(60_000), title: 'T'.repeat(400) }), o);
    checkLimits(huge);
    expect(JSON.stringify(huge)).toContain('see dashboard');
    const section = renderSlackAlert(alert({ body: '&'.repeat(5000) }), o);
    checkLimits(section);
    // Truncation never leaves half an entity behind.
    const text = section.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('&amp;'));
    expect(text && 'text' in text && text.text?.text.replace(/&amp;/g, '')).toMatch(/^ …<https:/);
    const items = Array.from({ length: 80 }, (_, i) =>
      alert({ id: i + 1, title: `Alert ${i}`, body: 'z'.repeat(5000) }),
    );
    const digest = renderSlackDigest(items, { start: new Date(0), end: new Date(86_400_000) }, o);
    checkLimits(digest);
    expect(JSON.stringify(digest)).toContain('and 40 more');
  });
});

describe('S6: crawled text is escaped for mrkdwn', () => {
  it('escapes & < > in every text and keeps links well-formed', () => {
    expect(escapeMrkdwn('<!here> & <@U1>')).toBe('&lt;!here&gt; &amp; &lt;@U1&gt;');
    const m = renderSlackAlert(alert({ title: '<!channel> sale', body: '<https://evil|click> & more' }), o);
    const json = JSON.stringify(m);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil|click>');
    expect(json).toContain('<https://glowco.test/p/velvet?x=1&y=%3C2%3E|glowco.test/p/velvet>');
    expect(json).toContain('<https://radar.example.com/alerts/7|Open in Market Radar>');
  });
});

describe('W6: Standard Webhooks signatures', () => {
  it('verify with the reference library, one per secret during rotation', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = JSON.stringify({ type: 'alert.created', data: { x: 1 } });
    const ts = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([a, b], 'msg_1_2', ts, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(b).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(a).verify(`${body} `, headers)).toThrow();
  });
});

describe('classification, retry schedule, redaction', () => {
  it('classifies Slack and webhook answers', () => {
    expect(classifyResponse('slack', 200, 'ok', null, 1).kind).toBe('delivered');
    expect(classifyResponse('slack', 429, 'rate_limited', 3000, 1)).toMatchObject({
      kind: 'rate_limited',
      waitMs: 3000,
    });
    expect(classifyResponse('slack', 429, '', null, 30_000)).toMatchObject({ waitMs: 30_000 });
    for (const [s, b] of [
      [400, 'invalid_payload'],
      [404, 'channel_not_found'],
      [410, 'channel_is_archived'],
      [404, 'no_service'],
      [403, 'action_prohibited'],
    ] as const)
      expect(classifyResponse('slack', s, b, null, 1).kind).toBe('permanent');
    expect(classifyResponse('slack', 500, 'rollup_error', null, 1).kind).toBe('transient');
    expect(classifyResponse('webhook', 410, '', null, 1).kind).toBe('permanent');
    expect(classifyResponse('webhook', 404, '', null, 1).kind).toBe('transient');
    expect(classifyResponse('webhook', 302, 'SECRET-BODY', null, 1)).toEqual({
      kind: 'transient',
      error: 'HTTP 302 (redirect not followed)',
    });
  });

  it('jitters each retry within ±jitter and stops after the schedule', () => {
    expect(retryDelay([1000, 2000], 1, 0.2, () => 0)).toBe(800);
    expect(retryDelay([1000, 2000], 2, 0.2, () => 1)).toBe(2400);
    expect(retryDelay([1000, 2000], 3, 0.2, () => 0.5)).toBeNull();
  });

  it('never shows a Slack webhook path', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/abcdEFGHijkl';
    expect(urlHint(url)).toBe('hooks.slack.com/…ijkl');
    expect(redactUrl(`connect: failed to reach ${url}`, url)).not.toContain('B000');
  });
});

describe('digest periods', () => {
  it('daily at 09:00 Berlin across DST; hourly; weekly on Mondays', () => {
    const daily = { every: 'daily', at: '09:00', timeZone: 'Europe/Berlin' } as const;
    expect(digestPeriod(daily, new Date('2026-01-15T08:30:00Z'))).toEqual({
      start: new Date('2026-01-14T08:00:00Z'),
      end: new Date('2026-01-15T08:00:00Z'),
    });
    // 2026-03-29 is the spring-forward day in Berlin: 09:00 is 07:00 UTC, the day before 08:00 UTC.
    expect(digestPeriod(daily, new Date('2026-03-29T12:00:00Z'))).toEqual({
      start: new Date('2026-03-28T08:00:00Z'),
      end: new Date('2026-03-29T07:00:00Z'),
    });
    expect(
      digestPeriod({ every: 'hourly', at: '00:15', timeZone: 'UTC' }, new Date('2026-01-01T10:14:00Z')).end,
    ).toEqual(new Date('2026-01-01T09:15:00Z'));
    const weekly = digestPeriod(
      { every: 'weekly', at: '08:30', timeZone: 'America/New_York', weekday: 1 },
      new Date('2026-01-15T12:00:00Z'), // a Thursday
    );
    expect(weekly.end).toEqual(new Date('2026-01-12T13:30:00Z'));
    expect(weekly.start).toEqual(new Date('2026-01-05T13:30:00Z'));
  });
});

describe('rules', () => {
  it('validates params per event type and matches new event kinds with scope', () => {
    expect(
      validateRule({
        eventType: 'trend_emerging',
        params: { minScore: 10 },
        scope: { terms: ['glass skin'] },
      }),
    ).toBeNull();
    expect(validateRule({ eventType: 'launched', params: { minPct: 1 } })).toMatch(/params\/minPct/);
    const rule = {
      id: 1,
      name: 'shift',
      eventType: 'sentiment_shift',
      params: { minDrop: 0.3 },
      scope: { entities: ['GlowCo'] },
      cooldownSeconds: 60,
    };
    const e = (shift: number, entity = 'glowco') => ({
      id: 1,
      type: 'sentiment_shift',
      occurredAt: new Date(),
      subject: `entity:${entity}`,
      competitor: null,
      category: null,
      productName: null,
      url: null,
      payload: { entity, shift, from: 0.4, to: 0.4 + shift },
    });
    expect(matchAlertRule(rule, e(-0.5))).not.toBeNull();
    expect(matchAlertRule(rule, e(-0.1))).toBeNull();
    expect(matchAlertRule(rule, e(-0.5, 'other'))).toBeNull();
  });
});
