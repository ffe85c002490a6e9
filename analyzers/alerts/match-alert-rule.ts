/** The part of a stored alert rule the matcher reads. */
export interface RuleSpec {
  id: number;
  name: string;
  eventType: string;
  /**
   * price_changed: minPct (absolute %), direction 'down'|'up'|'any', onlyNewLow30. trend_emerging: minScore.
   * sentiment_shift: minDrop (fires when payload.shift ≤ −minDrop). target_failing: failures (fires on the event whose
   * streak length equals it: once per streak).
   */
  params: Record<string, unknown>;
  /**
   * Optional lists narrowing the rule: competitors (names or keys), categories, subjects, and for mention-based
   * events entities and terms (matched against payload.entity, payload.term). validateRule refuses a payload
   * scope on an event type whose payload lacks the field (sources: every type), so none silently matches nothing.
   */
  scope: Record<string, unknown>;
  cooldownSeconds: number;
}

/** The part of a stored event the matcher reads. */
export interface EventFacts {
  id: number;
  type: string;
  occurredAt: string | Date;
  subject: string;
  competitor: string | null;
  category: string | null;
  productName: string | null;
  url: string | null;
  payload: Record<string, unknown>;
}

export interface AlertDraft {
  ruleId: number;
  eventId: number;
  subject: string;
  /** Start of the rule's cool-down window the event falls in: one alert per (rule, subject, window). */
  windowStart: Date;
  title: string;
  body: string;
  severity: 'info' | 'warning' | 'critical';
  payload: Record<string, unknown>;
}

function strings(v: unknown): string[] | null {
  return Array.isArray(v) && v.length > 0 ? v.map((x) => String(x).toLowerCase()) : null;
}

function inScope(rule: RuleSpec, e: EventFacts): boolean {
  const competitors = strings(rule.scope.competitors);
  if (competitors && !competitors.includes((e.competitor ?? '').toLowerCase())) return false;
  const categories = strings(rule.scope.categories);
  if (categories && !categories.includes((e.category ?? '').toLowerCase())) return false;
  const subjects = strings(rule.scope.subjects);
  if (subjects && !subjects.includes(e.subject.toLowerCase())) return false;
  for (const [key, field] of [
    ['entities', 'entity'],
    ['terms', 'term'],
    ['sources', 'source'],
  ] as const) {
    const wanted = strings(rule.scope[key]);
    if (wanted && !wanted.includes(String(e.payload[field] ?? '').toLowerCase())) return false;
  }
  return true;
}

function money(amount: unknown, currency: unknown): string {
  return `${amount ?? '?'}${currency ? ` ${currency}` : ''}`;
}

function describe(e: EventFacts): { title: string; body: string; severity: AlertDraft['severity'] } {
  const p = e.payload;
  const who = e.competitor ?? 'A competitor';
  const what = e.productName ?? e.subject;
  switch (e.type) {
    case 'price_changed': {
      const pct = Number(p.pct);
      const verb = pct < 0 ? 'cut' : 'raised';
      const low = p.newLow30 ? ' (new 30-day low)' : '';
      return {
        title: `${who} ${verb} ${what} by ${Math.abs(pct)}%${low}`,
        body: `${money(p.old, p.currency)} → ${money(p.new, p.currency)}`,
        severity: Math.abs(pct) >= 25 ? 'warning' : 'info',
      };
    }
    case 'launched':
      return {
        title: `${who} launched ${what}`,
        body: `First price ${money(p.price, p.currency)}`,
        severity: 'info',
      };
    case 'promotion_started':
      return { title: `${who} started a promotion on ${what}`, body: String(p.text ?? ''), severity: 'info' };
    case 'promotion_ended':
      return { title: `${who} ended a promotion on ${what}`, body: String(p.text ?? ''), severity: 'info' };
    case 'stock_out':
      return {
        title: `${what} is out of stock at ${who}`,
        body: String(p.availability ?? ''),
        severity: 'info',
      };
    case 'back_in_stock':
      return {
        title: `${what} is back in stock at ${who}`,
        body: money(p.price, p.currency),
        severity: 'info',
      };
    case 'trend_emerging':
      return {
        title: `Emerging: ${String(p.term ?? e.subject)}`,
        body: `Score ${p.score ?? '?'}${p.source ? ` on ${p.source}` : ''}`,
        severity: 'info',
      };
    case 'sentiment_shift':
      return {
        title: `Sentiment about ${String(p.entity ?? e.subject)} fell by ${Math.abs(Number(p.shift))}`,
        body: `${p.from ?? '?'} → ${p.to ?? '?'}`,
        severity: Number(p.shift) <= -0.5 ? 'warning' : 'info',
      };
    case 'target_failing':
      return {
        title: `Target failing: ${e.subject}`,
        body: `${p.failures} failures in a row; last: ${p.reason ?? 'unknown'}`,
        severity: 'warning',
      };
    case 'target_stale':
      return {
        title: `Target stale: ${p.label ?? p.url ?? e.subject}`,
        body: `No successful crawl for ${Math.round(Number(p.ageSeconds) / 60)} min (interval ${p.intervalSeconds}s); last error: ${p.lastError ?? 'none'}`,
        severity: 'warning',
      };
    case 'job_dead_lettered':
      if (p.channelId !== undefined)
        return {
          title: `Delivery failed for good: ${String(p.channelName ?? e.subject)}`,
          body: `A message to this ${p.channelKind ?? ''} channel was given up after ${p.attempts ?? '?'} attempt(s); the channel is failing and sends nothing until re-enabled. Last error: ${String(p.lastError ?? 'none').slice(0, 300)}`,
          severity: 'warning',
        };
      return {
        title: `Job failed for good: ${String(p.jobName ?? e.subject)}`,
        body: `${p.reason ?? 'failed'} after ${p.attempts ?? '?'} attempt(s) on ${p.queue ?? '?'}; last error: ${String(p.lastError ?? 'none').slice(0, 300)}`,
        severity: 'warning',
      };
    default:
      return { title: `${e.type}: ${e.subject}`, body: JSON.stringify(p).slice(0, 500), severity: 'info' };
  }
}

/**
 * Decides whether one event fires one rule. Pure: returns the alert to store, or null. The window is the
 * cool-down bucket the event falls in, so a flapping price within the cool-down is one alert, not five.
 */
export function matchAlertRule(rule: RuleSpec, e: EventFacts): AlertDraft | null {
  if (rule.eventType !== e.type || !inScope(rule, e)) return null;
  if (e.type === 'price_changed') {
    const pct = Number(e.payload.pct);
    if (!Number.isFinite(pct)) return null;
    const direction = (rule.params.direction as string | undefined) ?? 'any';
    if (direction === 'down' && pct >= 0) return null;
    if (direction === 'up' && pct <= 0) return null;
    const minPct = Number(rule.params.minPct ?? 0);
    if (Math.abs(pct) < minPct) return null;
    if (rule.params.onlyNewLow30 && !e.payload.newLow30) return null;
  }
  if (e.type === 'trend_emerging') {
    const score = Number(e.payload.score);
    if (!Number.isFinite(score) || score < Number(rule.params.minScore ?? 0)) return null;
  }
  if (e.type === 'sentiment_shift') {
    const shift = Number(e.payload.shift);
    if (!Number.isFinite(shift) || shift > -Number(rule.params.minDrop ?? 0) || shift >= 0) return null;
  }
  if (e.type === 'target_failing') {
    // Every failed run raises the event with the streak's length: the one that reaches N fires, so a rule fires
    // once per streak, whatever N (longer streaks' later events do not match).
    const n = Number(rule.params.failures ?? 3);
    if (Number(e.payload.failures) !== n) return null;
  }
  const cooldownMs = Math.max(1, rule.cooldownSeconds) * 1000;
  const at = new Date(e.occurredAt).getTime();
  const windowStart = new Date(Math.floor(at / cooldownMs) * cooldownMs);
  const { title, body, severity } = describe(e);
  return {
    ruleId: rule.id,
    eventId: e.id,
    subject: e.subject,
    windowStart,
    title,
    body,
    severity,
    payload: { eventType: e.type, competitor: e.competitor, url: e.url, ...e.payload },
  };
}
