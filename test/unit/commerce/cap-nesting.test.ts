import { describe, expect, it } from 'vitest';
import { capNesting } from '../../../crawlers/commerce/cap-nesting.ts';

describe('capNesting', () => {
  it('leaves ordinary pages alone, void elements and scripts included', () => {
    const page =
      '<html><head><meta charset="utf-8"><script>if (a < b) { x = "<div>"; }</script></head><body><br><img src=x><div><p>ok</p></div></body></html>';
    expect(capNesting(page, 5)).toEqual({ html: page, truncated: false });
  });

  it('cuts a hostile 100k-deep nesting where it passes the limit, keeping what came before', () => {
    const head =
      '<html><head><script type="application/ld+json">{"@type":"Product","name":"X"}</script></head><body>';
    const deep = `${head}${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}</body></html>`;
    const { html, truncated } = capNesting(deep, 1000);
    expect(truncated).toBe(true);
    expect(html.startsWith(head)).toBe(true);
    expect(html.length).toBeLessThan(head.length + 1000 * 5 + 10);
  });

  it('counts closing tags, so long but shallow pages are not cut', () => {
    const shallow = '<div><span>a</span></div>'.repeat(50_000);
    expect(capNesting(shallow, 10).truncated).toBe(false);
  });
});
