// Rule matching and validation that the pure analyzer decides: "failing N times in a row" for any N, and scopes
// that could never match refused at validation instead of silently matching nothing.
import { describe, expect, it } from 'vitest';
import {
  ALERT_EVENT_TYPES,
  type EventFacts,
  matchAlertRule,
  validateRule,
} from '../../../analyzers/index.ts';

const failing = (failures: number): EventFacts => ({
  id: failures,
  type: 'target_failing',
  occurredAt: new Date('2026-03-01T10:00:00Z'),
  subject: 'target:7',
  competitor: 'GlowCo',
  category: null,
  productName: null,
  url: null,
  payload: { failures, outcome: 'blocked', reason: 'HTTP 403 forbidden' },
});

describe('target_failing: N failures in a row', () => {
  for (const n of [1, 3, 5]) {
    it(`a rule for N = ${n} matches only the event of the run that reaches N`, () => {
      const rule = {
        id: 1,
        name: `failing ${n}`,
        eventType: 'target_failing',
        params: { failures: n },
        scope: {},
        cooldownSeconds: 86_400,
      };
      const matched = [1, 2, 3, 4, 5, 6, 7].filter((k) => matchAlertRule(rule, failing(k)) !== null);
      expect(matched).toEqual([n]);
      expect(matchAlertRule(rule, failing(n))?.body).toContain(`${n} failures in a row`);
    });
  }

  it('a rule without N uses 3', () => {
    const rule = {
      id: 1,
      name: 'f',
      eventType: 'target_failing',
      params: {},
      scope: {},
      cooldownSeconds: 60,
    };
    expect([1, 2, 3, 4].filter((k) => matchAlertRule(rule, failing(k)))).toEqual([3]);
  });
});

describe('payload scopes are refused where the event lacks the field', () => {
  it('sources: refused for every event type, with a 400-ready message', () => {
    for (const eventType of ALERT_EVENT_TYPES)
      expect(validateRule({ eventType, scope: { sources: ['reddit'] } }), eventType).toMatch(
        new RegExp(`^body/scope/sources cannot narrow ${eventType} rules: their events carry no source`),
      );
  });

  it('entities only for sentiment shifts, terms only for trends', () => {
    expect(validateRule({ eventType: 'sentiment_shift', scope: { entities: ['GlowCo'] } })).toBeNull();
    expect(validateRule({ eventType: 'trend_emerging', scope: { terms: ['glass skin'] } })).toBeNull();
    expect(validateRule({ eventType: 'price_changed', scope: { entities: ['GlowCo'] } })).toBe(
      'body/scope/entities cannot narrow price_changed rules: their events carry no entity (only sentiment_shift events do)',
    );
    expect(validateRule({ eventType: 'sentiment_shift', scope: { terms: ['serum'] } })).toMatch(
      /scope\/terms cannot narrow sentiment_shift.*only trend_emerging/,
    );
    // Scopes read from the event's joins stay open to every type.
    expect(validateRule({ eventType: 'target_failing', scope: { competitors: ['GlowCo'] } })).toBeNull();
  });
});
