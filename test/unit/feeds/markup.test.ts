import { describe, expect, it } from 'vitest';
import { parseOk } from './fixtures.ts';

const atom = (entry: string) =>
  `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:svg="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><entry>${entry}</entry></feed>`;

describe('inline markup serialisation', () => {
  it("treats undeclared markup in the feed's own namespace as HTML, without an xmlns", () => {
    const r = parseOk(
      '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title>A <b>bold</b> move</title></entry></feed>',
    );
    expect(r.entries[0].title).toBe('A <b>bold</b> move');
  });

  it('drops foreign prefixes and declares the namespace where SVG starts', () => {
    const r = parseOk(
      atom(
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Chart</p><svg:svg width="10"><svg:circle r="5"/></svg:svg></div></content>',
      ),
    );
    expect(r.entries[0].content).toBe(
      '<p>Chart</p><svg xmlns="http://www.w3.org/2000/svg" width="10"><circle r="5"></circle></svg>',
    );
  });

  it('declares the prefix of namespaced attributes once, where first used', () => {
    const r = parseOk(
      atom(
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><svg:svg><svg:a xlink:href="https://x.example/"><svg:text xlink:title="t">go</svg:text></svg:a></svg:svg></div></content>',
      ),
    );
    expect(r.entries[0].content).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg"><a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="https://x.example/"><text xlink:title="t">go</text></a></svg>',
    );
  });
});
