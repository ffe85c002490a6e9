// Covers RELIABILITY.md S1 (SSRF payloads at registration, without network) for checkUrlSyntax/checkUrl.
import { describe, expect, it } from 'vitest';
import {
  checkUrl,
  checkUrlSyntax,
  FetchError,
  type Resolver,
  UrlNotAllowedError,
  type UrlPolicy,
} from '../../../crawlers/net/index.ts';

const strict: UrlPolicy = { allowPrivate: false, allow: [] };
const fixed =
  (map: Record<string, string[]>): Resolver =>
  async (host) => {
    const answers = map[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

function refusal(fn: () => unknown): UrlNotAllowedError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UrlNotAllowedError);
    return error as UrlNotAllowedError;
  }
  throw new Error('expected a refusal');
}

const ADDRESS_PAYLOADS: [string, string][] = [
  ['http://127.0.0.1:6379/', '127.0.0.1'],
  ['http://[::1]/', '::1'],
  ['http://0.0.0.0/', '0.0.0.0'],
  ['http://0/', '0.0.0.0'],
  ['http://127.1/', '127.0.0.1'],
  ['http://017700000001/', '127.0.0.1'],
  ['http://0x7f.0.0.1/', '127.0.0.1'],
  ['http://2130706433/', '127.0.0.1'],
  ['http://[::ffff:127.0.0.1]/', '127.0.0.1'],
  ['http://[::ffff:7f00:1]/', '127.0.0.1'],
  ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
  ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
  ['http://10.0.0.1/', '10.0.0.1'],
  ['http://172.16.0.1/', '172.16.0.1'],
  ['http://192.168.0.1/', '192.168.0.1'],
  ['http://100.64.0.1/', '100.64.0.1'],
  ['http://[fc00::1]/', 'fc00::1'],
  ['http://[fe80::1]/', 'fe80::1'],
  ['http://224.0.0.1/', '224.0.0.1'],
  ['http://255.255.255.255/', '255.255.255.255'],
  ['http://[::]/', '::'],
  ['http://[64:ff9b::7f00:1]/', '64:ff9b::7f00:1'],
  ['http://[2002:7f00:1::]/', '2002:7f00:1::'],
  ['HTTP://LOCALHOST./', 'localhost'],
  ['http://foo.localhost/', 'foo.localhost'],
];

describe('checkUrlSyntax (S1)', () => {
  it.each(ADDRESS_PAYLOADS)('refuses %s as a private address', (url, shown) => {
    const error = refusal(() => checkUrlSyntax(url, strict));
    expect(error.code).toBe('URL_NOT_ALLOWED');
    expect(error.reason).toBe('private_address');
    expect(error.message).toMatch(/a private address \(/);
    expect(error.message).toContain(`(${shown},`);
  });

  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme'],
    ['ftp://example.com/', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['data:text/html,<b>x</b>', 'scheme'],
    ['ws://example.com/', 'scheme'],
    ['http://user:pw@127.0.0.1/', 'credentials'],
    ['http://user@example.com/', 'credentials'],
    [`http://example.com/${'a'.repeat(10_000)}`, 'too_long'],
    ['not a url', 'invalid_url'],
    ['', 'invalid_url'],
  ])('refuses %s (%s)', (url, reason) => {
    const error = refusal(() => checkUrlSyntax(url, strict));
    expect(error.reason).toBe(reason);
    expect(error.message.length).toBeLessThan(200);
  });

  it('accepts public hosts and literals, normalising the host', () => {
    const checked = checkUrlSyntax('https://Example.COM./a?b=1', strict);
    expect(checked).toMatchObject({ hostname: 'example.com', port: 443, literalAddress: null });
    expect(checkUrlSyntax('http://93.184.215.14:8080/', strict)).toMatchObject({
      literalAddress: '93.184.215.14',
    });
    expect(checkUrlSyntax('http://[2606:4700::1111]/', strict).literalAddress).toBe('2606:4700::1111');
  });

  it('accepts exactly the allowlisted ip:port, nothing next to it', () => {
    const policy: UrlPolicy = { allowPrivate: false, allow: ['127.0.0.1:18080'] };
    expect(checkUrlSyntax('http://127.0.0.1:18080/x', policy).port).toBe(18080);
    expect(checkUrlSyntax('http://127.1:18080/x', policy).literalAddress).toBe('127.0.0.1');
    expect(refusal(() => checkUrlSyntax('http://127.0.0.1:18081/', policy)).reason).toBe('private_address');
    expect(refusal(() => checkUrlSyntax('http://127.0.0.2:18080/', policy)).reason).toBe('private_address');
  });

  it('supports CIDR and [ipv6]:port entries, and rejects malformed entries', () => {
    const policy: UrlPolicy = { allowPrivate: false, allow: ['127.0.0.3/32', '[::1]:8080'] };
    expect(checkUrlSyntax('http://127.0.0.3:9999/', policy).literalAddress).toBe('127.0.0.3');
    expect(checkUrlSyntax('http://[::1]:8080/', policy).literalAddress).toBe('::1');
    expect(() => checkUrlSyntax('http://[::1]:8081/', policy)).toThrow(UrlNotAllowedError);
    expect(() => checkUrlSyntax('http://a.com/', { allowPrivate: false, allow: ['10.0.0.0/99'] })).toThrow(
      TypeError,
    );
  });

  it('allowPrivate opens private ranges but never metadata or unspecified', () => {
    const open: UrlPolicy = { allowPrivate: true, allow: [] };
    expect(checkUrlSyntax('http://10.1.2.3/', open).literalAddress).toBe('10.1.2.3');
    expect(checkUrlSyntax('http://127.0.0.1/', open).literalAddress).toBe('127.0.0.1');
    expect(refusal(() => checkUrlSyntax('http://169.254.169.254/', open)).message).toContain(
      'cloud metadata',
    );
    expect(refusal(() => checkUrlSyntax('http://0/', open)).message).toContain('unspecified');
  });

  it('honours allowedSchemes', () => {
    expect(
      refusal(() => checkUrlSyntax('http://example.com/', { ...strict, allowedSchemes: ['https:'] })).reason,
    ).toBe('scheme');
  });
});

describe('checkUrl (S1 names that resolve privately)', () => {
  const resolver = fixed({
    'evil.test': ['127.0.0.1'],
    'mixed.test': ['93.184.215.14', '10.0.0.5'],
    'meta.test': ['169.254.169.254'],
    'mapped.test': ['::ffff:192.168.1.1'],
    'good.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'demo.market': ['127.0.0.1'],
  });

  it('refuses a name resolving to loopback with the address in the message', async () => {
    await expect(checkUrl('http://evil.test/', strict, { resolver })).rejects.toThrow(
      'target resolves to a private address (127.0.0.1, loopback)',
    );
  });

  it('refuses when any answer is private, including IPv4-mapped and metadata', async () => {
    for (const host of ['mixed.test', 'meta.test', 'mapped.test']) {
      await expect(checkUrl(`http://${host}/`, strict, { resolver })).rejects.toBeInstanceOf(
        UrlNotAllowedError,
      );
    }
  });

  it('returns every validated address for pinning', async () => {
    const checked = await checkUrl('https://good.test/p', strict, { resolver });
    expect(checked.addresses.map((a) => a.family)).toEqual([4, 6]);
  });

  it('reports NXDOMAIN as FetchError dns (C2)', async () => {
    const error = await checkUrl('http://nx.test/', strict, { resolver }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).code).toBe('dns');
    expect((error as FetchError).message).toContain('ENOTFOUND');
  });

  it('trusts an operator host:port entry whatever it resolves to', async () => {
    const policy: UrlPolicy = { allowPrivate: false, allow: ['demo.market:8080'] };
    const checked = await checkUrl('http://demo.market:8080/', policy, { resolver });
    expect(checked.addresses[0].address).toBe('127.0.0.1');
    await expect(checkUrl('http://demo.market:8081/', policy, { resolver })).rejects.toBeInstanceOf(
      UrlNotAllowedError,
    );
  });

  it('never calls the resolver for literals', async () => {
    let calls = 0;
    const counting: Resolver = async () => {
      calls++;
      return [];
    };
    await checkUrl('http://93.184.215.14/', strict, { resolver: counting });
    await expect(checkUrl('http://127.1/', strict, { resolver: counting })).rejects.toBeInstanceOf(
      UrlNotAllowedError,
    );
    expect(calls).toBe(0);
  });
});
