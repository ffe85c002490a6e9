import { describe, expect, it } from 'vitest';
import { toPlainText } from '../../../crawlers/feeds/index.ts';

describe('toPlainText', () => {
  it('strips tags, scripts and comments and decodes references', () => {
    expect(
      toPlainText('<p>Spring <b>sale</b> &amp; more&nbsp;&#8212;<script>x()</script><!-- c --> now</p>'),
    ).toBe('Spring sale & more — now');
  });

  it('returns an empty string for null', () => {
    expect(toPlainText(null)).toBe('');
  });
});
