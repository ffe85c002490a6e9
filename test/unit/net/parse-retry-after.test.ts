// Helper for RELIABILITY.md C3/W1 (Retry-After).
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../crawlers/net/index.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('parses delta-seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('parses an HTTP-date relative to now, clamping the past to 0', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('returns null for absent or garbage values', () => {
    for (const value of [null, undefined, '', '-1', '1.5', 'soon', '2026-01-01']) {
      expect(parseRetryAfter(value, now)).toBeNull();
    }
  });
});
