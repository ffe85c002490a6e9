import { describe, expect, it } from 'vitest';
import { classifyBlock } from '../../../crawlers/commerce/index.ts';
import { fixture } from './fixture.ts';

describe('classifyBlock', () => {
  it('blocks 429 and 403', () => {
    expect(classifyBlock({ status: 429, headers: { 'Retry-After': '30' }, html: '' })).toEqual({
      blocked: true,
      reason: 'HTTP 429 rate limited (retry-after 30)',
    });
    expect(
      classifyBlock({
        status: 403,
        headers: { server: 'AkamaiGHost' },
        html: '<title>Access Denied</title>',
      }),
    ).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/403.*Akamai/),
    });
  });

  it('blocks vendor interstitials even with status 200, and 503 challenges', () => {
    const cf = classifyBlock({
      status: 503,
      headers: { server: 'cloudflare' },
      html: fixture('cloudflare-challenge.html'),
    });
    expect(cf).toMatchObject({ blocked: true, reason: expect.stringMatching(/Cloudflare/) });
    expect(
      classifyBlock({ status: 200, headers: {}, html: fixture('cloudflare-challenge.html') }).blocked,
    ).toBe(true);
    expect(classifyBlock({ status: 403, headers: { 'cf-mitigated': 'challenge' }, html: null }).blocked).toBe(
      true,
    );
    const dd = '<html><body><script src="https://ct.captcha-delivery.com/c.js"></script></body></html>';
    expect(classifyBlock({ status: 200, headers: {}, html: dd })).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/DataDome/),
    });
    const px =
      '<html><body><div id="px-captcha"></div><p>Press &amp; Hold to confirm you are a human</p></body></html>';
    expect(classifyBlock({ status: 200, headers: {}, html: px })).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/PerimeterX/),
    });
  });

  it('blocks captcha walls and "enable JavaScript" shells', () => {
    expect(classifyBlock({ status: 200, headers: {}, html: fixture('captcha-wall.html') }).blocked).toBe(
      true,
    );
    expect(classifyBlock({ status: 200, headers: {}, html: fixture('js-shell.html') })).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/JavaScript/),
    });
  });

  it('does not block a real product page that loads reCAPTCHA for its newsletter', () => {
    expect(
      classifyBlock({ status: 200, headers: {}, html: fixture('product-with-recaptcha-footer.html') }),
    ).toEqual({ blocked: false });
    expect(classifyBlock({ status: 200, headers: {}, html: fixture('wrong-price-trap.html') })).toEqual({
      blocked: false,
    });
  });

  it('does not call a plain 503 or 404 a block', () => {
    expect(classifyBlock({ status: 503, headers: {}, html: '<h1>Service Unavailable</h1>' })).toEqual({
      blocked: false,
    });
    expect(classifyBlock({ status: 404, headers: {}, html: '<h1>Not found</h1>' })).toEqual({
      blocked: false,
    });
  });
});
