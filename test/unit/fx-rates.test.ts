import { describe, expect, it } from 'vitest';
import { FxParseError, parseEcbXml, parseFxCsv } from '../../crawlers/index.ts';

describe('parseFxCsv', () => {
  it('reads date,base,quote,rate with or without a header, comma or semicolon', () => {
    expect(parseFxCsv('date,base,quote,rate\n2026-11-20,EUR,USD,1.0812\n2026-11-20;eur;brl;6.1\n\n')).toEqual(
      [
        { day: '2026-11-20', base: 'EUR', quote: 'USD', rate: '1.0812' },
        { day: '2026-11-20', base: 'EUR', quote: 'BRL', rate: '6.1' },
      ],
    );
  });

  it('refuses the whole file at the first bad row, naming the line', () => {
    expect(() => parseFxCsv('2026-11-20,EUR,USD,1.08\n2026-13-40,EUR,USD,1.1')).toThrow(/line 2: bad date/);
    expect(() => parseFxCsv('2026-11-20,EUR,DOLLARS,1.08')).toThrow(FxParseError);
    expect(() => parseFxCsv('2026-11-20,EUR,USD,-1')).toThrow(/bad rate/);
    expect(() => parseFxCsv('2026-11-20,EUR,USD')).toThrow(/expected date,base,quote,rate/);
  });
});

describe('parseEcbXml', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
    <Cube time='2026-11-20'>
      <Cube currency='USD' rate='1.0812'/>
      <Cube currency='BRL' rate='6.1234'/>
    </Cube>
    <Cube time="2026-11-19"><Cube currency="USD" rate="1.0790"/></Cube>
  </Cube>
</gesmes:Envelope>`;

  it('reads every dated rate against EUR', () => {
    expect(parseEcbXml(xml)).toEqual([
      { day: '2026-11-20', base: 'EUR', quote: 'USD', rate: '1.0812' },
      { day: '2026-11-20', base: 'EUR', quote: 'BRL', rate: '6.1234' },
      { day: '2026-11-19', base: 'EUR', quote: 'USD', rate: '1.0790' },
    ]);
  });

  it('refuses a file with no rates, and never expands entities', () => {
    expect(() => parseEcbXml('<html>not rates</html>')).toThrow(/no <Cube/);
    const hostile = `<!DOCTYPE x [<!ENTITY a "1.1">]><Cube time="2026-11-20"><Cube currency="USD" rate="&a;"/></Cube>`;
    expect(() => parseEcbXml(hostile)).toThrow(/bad rate "&a;"/);
  });
});
