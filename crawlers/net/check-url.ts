import { lookup } from 'node:dns/promises';
import { assertAddressAllowed, checkUrlSyntax, type SyntaxCheckedUrl } from './check-url-syntax.ts';
import { parseIp } from './classify-address.ts';
import { FetchError } from './fetch-error.ts';
import type { ResolvedAddress, Resolver, UrlPolicy } from './url-policy.ts';

/** A URL that may be fetched, with the validated addresses the connection must be pinned to. */
export type CheckedUrl = SyntaxCheckedUrl & { addresses: ResolvedAddress[] };

/** Options of `checkUrl`. */
export type CheckUrlOptions = { resolver?: Resolver };

/** The system resolver (getaddrinfo, so /etc/hosts applies), all answers in resolver order. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * Validate a URL and resolve its host, refusing it if ANY answer is a non-public address (a mixed
 * answer is an attack, not a fallback). The returned `addresses` are what a connection must use:
 * connecting by name again would let DNS rebinding swap the address after the check.
 * Throws UrlNotAllowedError (code URL_NOT_ALLOWED) when refused, FetchError with code `dns` when the
 * name does not resolve.
 */
export async function checkUrl(
  raw: string,
  policy: UrlPolicy,
  options: CheckUrlOptions = {},
): Promise<CheckedUrl> {
  const checked = checkUrlSyntax(raw, policy);
  if (checked.literalAddress !== null) {
    const family = checked.literalAddress.includes(':') ? 6 : 4;
    return { ...checked, addresses: [{ address: checked.literalAddress, family }] };
  }
  const resolver = options.resolver ?? systemResolver;
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolver(checked.hostname);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new FetchError('dns', `could not resolve ${checked.hostname} (${code})`, {
      url: raw,
      cause: error,
    });
  }
  if (addresses.length === 0) {
    throw new FetchError('dns', `could not resolve ${checked.hostname} (no addresses)`, { url: raw });
  }
  for (const { address } of addresses) {
    if (parseIp(address) === null) {
      throw new FetchError('dns', `resolver returned a non-IP answer for ${checked.hostname}`, { url: raw });
    }
  }
  if (!checked.hostAllowed) {
    for (const { address } of addresses) {
      assertAddressAllowed(address, checked.port, policy, 'target resolves to');
    }
  }
  return { ...checked, addresses };
}
