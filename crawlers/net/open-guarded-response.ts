import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { guardedHttpAgent, guardedHttpsAgent } from './agents.ts';
import { type CheckedUrl, checkUrl } from './check-url.ts';
import { parseIp } from './classify-address.ts';
import { FetchError } from './fetch-error.ts';
import { UrlNotAllowedError } from './url-not-allowed-error.ts';
import type { ResolvedAddress, Resolver, UrlPolicy } from './url-policy.ts';

/** Default total budget of one fetch, redirects and body included (C4). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default body cap, applied on the wire and again after decompression (C5). */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
/** Default number of redirects followed (C7). */
export const DEFAULT_MAX_REDIRECTS = 5;
/** User-Agent sent when the caller gives none. */
export const DEFAULT_USER_AGENT = 'MarketRadar/0.1 (self-hosted market monitor)';

/** A redirect about to be followed; `next` may be edited (headers, e.g. cookies); its URL is re-checked. */
export type RedirectHop = { from: string; status: number; headers: IncomingHttpHeaders };
/** Request of the next hop, as handed to `onRedirect`. */
export type NextHop = { url: string; headers: Record<string, string> };

/** Options of the guarded transport. */
export type GuardedRequestOptions = {
  policy: UrlPolicy;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Total budget in ms for all hops and the body (default 30 000). */
  timeoutMs?: number;
  /** Budget in ms from sending a hop to its response headers (default: `timeoutMs`). */
  headersTimeoutMs?: number;
  /** Body cap in bytes, on the wire and after decompression (default 5 MiB). */
  maxBytes?: number;
  /** Redirects followed (default 5); 0 returns the 3xx response itself (webhooks). */
  maxRedirects?: number;
  userAgent?: string;
  resolver?: Resolver;
  signal?: AbortSignal;
  /** Follow an https → http redirect (default false: refused as `url_not_allowed`). */
  allowHttpsDowngrade?: boolean;
  /** Decode gzip/deflate/br (default true). */
  decompress?: boolean;
  onRedirect?: (hop: RedirectHop, next: NextHop) => void;
  /** Extra trusted CA certificate(s) in PEM, for self-hosted targets behind a private CA (and tests). */
  ca?: string | Buffer;
};

/** Response headers and a body stream; the stream errors with FetchError on cap, truncation or timeout. */
export type GuardedResponse = {
  /** Final URL after redirects. */
  url: string;
  status: number;
  statusMessage: string;
  /** Lower-case names; repeated headers joined with ", " (set-cookie with "\n"). */
  headers: Record<string, string>;
  /** Node's header object, with set-cookie as an array. */
  incomingHeaders: IncomingHttpHeaders;
  /** URLs redirected to, in order (the last one is `url`). */
  redirects: string[];
  /** The validated IP the final hop was connected to. */
  address: string;
  body: Readable;
  timings: { dnsMs: number; ttfbMs: number; startedAt: number };
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CONNECT_RETRY_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Never used for IP literals; present so a name can never be resolved behind the guard's back. */
const refuseLookup: LookupFunction = (hostname, _options, callback) => {
  callback(new Error(`guarded transport refused to resolve ${hostname}`), '', 4);
};

function preview(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}…` : url;
}

function sameIp(a: string, b: string): boolean {
  const pa = parseIp(a);
  const pb = parseIp(b);
  if (!pa || !pb) return false;
  const norm = (ip: NonNullable<ReturnType<typeof parseIp>>): string =>
    ip.kind() === 'ipv6' && (ip as import('ipaddr.js').IPv6).isIPv4MappedAddress()
      ? (ip as import('ipaddr.js').IPv6).toIPv4Address().toString()
      : ip.toNormalizedString();
  return norm(pa) === norm(pb);
}

/** Flatten Node's header object: lower-case names, set-cookie joined with newlines. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : value;
  }
  return flat;
}

/** Lifetime of one guarded fetch: the deadline, the abort signal, and what to tear down on failure. */
class Exchange {
  failed: FetchError | null = null;
  req: ClientRequest | null = null;
  streams: { destroy(error?: Error): void }[] = [];
  out: Transform | null = null;
  readonly failure: Promise<never>;
  private rejectFailure: (error: FetchError) => void = () => {};
  private timer: NodeJS.Timeout | null = null;
  private readonly onAbort: () => void;

  constructor(
    private readonly opts: GuardedRequestOptions,
    private readonly currentUrl: () => string,
    timeoutMs: number,
  ) {
    this.failure = new Promise<never>((_resolve, reject) => {
      this.rejectFailure = reject;
    });
    this.failure.catch(() => {});
    this.timer = setTimeout(
      () =>
        this.fail(new FetchError('timeout', `timed out after ${timeoutMs} ms`, { url: this.currentUrl() })),
      timeoutMs,
    );
    this.onAbort = () =>
      this.fail(new FetchError('aborted', 'fetch aborted by caller', { url: this.currentUrl() }));
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Await `promise` unless the exchange fails first. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.failure]);
  }

  fail(error: FetchError): void {
    if (this.failed) return;
    this.failed = error;
    this.settle();
    this.req?.destroy();
    for (const stream of this.streams) stream.destroy();
    this.out?.destroy(error);
    this.rejectFailure(error);
  }

  /** Release the timer and signal listener; the exchange is over (body ended or abandoned). */
  settle(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }
}

function sendOnce(
  ex: Exchange,
  checked: CheckedUrl,
  address: ResolvedAddress,
  method: string,
  headers: OutgoingHttpHeaders,
  body: Buffer | undefined,
  headersTimeoutMs: number,
  ca: string | Buffer | undefined,
): Promise<{ res: IncomingMessage; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const isHttps = checked.url.protocol === 'https:';
    const options: https.RequestOptions = {
      host: address.address,
      family: address.family,
      port: checked.port,
      path: `${checked.url.pathname}${checked.url.search}`,
      method,
      headers,
      agent: isHttps ? guardedHttpsAgent : guardedHttpAgent,
      lookup: refuseLookup,
    };
    if (isHttps && checked.literalAddress === null) options.servername = checked.hostname;
    if (isHttps && ca !== undefined) options.ca = ca;
    const req = (isHttps ? https : http).request(options);
    ex.req = req;
    const url = checked.url.href;
    const headersTimer = setTimeout(() => {
      req.destroy(new FetchError('timeout', `no response headers within ${headersTimeoutMs} ms`, { url }));
    }, headersTimeoutMs);
    req.on('socket', (socket) => {
      const verify = (): void => {
        if (socket.remoteAddress !== undefined && !sameIp(socket.remoteAddress, address.address)) {
          req.destroy(
            new FetchError('url_not_allowed', 'socket is not connected to the validated address', { url }),
          );
        }
      };
      if (socket.connecting) socket.once('connect', verify);
      else verify();
    });
    req.on('response', (res) => {
      clearTimeout(headersTimer);
      resolve({ res, reused: req.reusedSocket });
    });
    req.on('error', (error) => {
      clearTimeout(headersTimer);
      reject(Object.assign(error, { reusedSocket: req.reusedSocket }));
    });
    req.end(body);
  });
}

function toRequestFailure(error: unknown, url: string, redirects: readonly string[]): FetchError {
  if (error instanceof FetchError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = err.code ?? '';
  if (code.startsWith('HPE_')) {
    return new FetchError('http_protocol', `invalid HTTP response (${code})`, {
      url,
      redirects,
      cause: error,
    });
  }
  const host = new URL(url).host;
  return new FetchError('connect', `connection to ${host} failed (${code || err.message})`, {
    url,
    redirects,
    cause: error,
  });
}

function buildDecoders(encodingHeader: string | undefined): Transform[] | null {
  const encodings = (encodingHeader ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  const decoders: Transform[] = [];
  for (const encoding of encodings.reverse()) {
    if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate')
      decoders.push(zlib.createUnzip());
    else if (encoding === 'br') decoders.push(zlib.createBrotliDecompress());
    else return null;
  }
  return decoders;
}

function openBody(
  ex: Exchange,
  res: IncomingMessage,
  url: string,
  redirects: readonly string[],
  opts: GuardedRequestOptions,
): Transform {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const tooLarge = (where: string): FetchError =>
    new FetchError('too_large', `response body exceeds ${maxBytes} bytes ${where}`, { url, redirects });
  const truncated = (detail: string, cause?: unknown): FetchError =>
    new FetchError('truncated', `response body truncated (${detail})`, { url, redirects, cause });

  const declared = Number(res.headers['content-length']);
  const bodiless = opts.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
  const decoders =
    opts.decompress === false || bodiless ? [] : buildDecoders(res.headers['content-encoding']);
  let decoded = 0;
  let ended = false;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      decoded += chunk.length;
      if (decoded > maxBytes) {
        ex.fail(tooLarge(decoders && decoders.length > 0 ? 'after decompression' : 'on the wire'));
        callback();
        return;
      }
      callback(null, chunk);
    },
  });
  out.on('error', () => {});
  out.on('end', () => {
    ended = true;
    ex.settle();
  });
  out.on('close', () => {
    if (!ended && !ex.failed) {
      ex.settle();
      res.destroy();
      for (const stream of ex.streams) stream.destroy();
    }
  });
  ex.out = out;
  ex.streams.push(res);
  if (Number.isFinite(declared) && declared > maxBytes && opts.method !== 'HEAD') {
    ex.fail(tooLarge(`(Content-Length ${declared})`));
    return out;
  }

  let wire = 0;
  res.on('data', (chunk: Buffer) => {
    wire += chunk.length;
    if (wire > maxBytes) ex.fail(tooLarge('on the wire'));
  });
  res.on('error', (error) => ex.fail(truncated(`connection lost after ${wire} bytes`, error)));
  res.on('close', () => {
    if (!res.complete) ex.fail(truncated(`connection closed after ${wire} bytes`));
  });

  let tail: NodeJS.ReadableStream = res;
  for (const decoder of decoders ?? []) {
    ex.streams.push(decoder);
    decoder.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'Z_BUF_ERROR' || /unexpected end/i.test(error.message)) {
        ex.fail(truncated('compressed stream ends early', error));
      } else {
        ex.fail(
          new FetchError('http_protocol', `could not decode body (${error.message})`, { url, cause: error }),
        );
      }
    });
    tail = tail.pipe(decoder);
  }
  tail.pipe(out);
  return out;
}

/**
 * Open a guarded HTTP(S) request and return once the final response's headers arrive; the body is a
 * stream capped at `maxBytes` (wire and decoded) that errors with FetchError `too_large`, `truncated`,
 * `timeout` or `aborted` (never a silent short body). Every hop is checked with `checkUrl` and the
 * connection goes to the validated IP itself, so DNS cannot change between check and connect.
 * Redirects are followed manually and re-checked; their bodies are never read.
 * Throws FetchError (`url_not_allowed`, `dns`, `connect`, `timeout`, `http_protocol`,
 * `too_many_redirects`, `too_large`, `aborted`).
 */
export async function openGuardedResponse(
  raw: string,
  opts: GuardedRequestOptions,
): Promise<GuardedResponse> {
  const startedAt = Date.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headersTimeoutMs = opts.headersTimeoutMs ?? timeoutMs;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const redirects: string[] = [];
  let current = raw;
  if (opts.signal?.aborted) throw new FetchError('aborted', 'fetch aborted by caller', { url: raw });
  const ex = new Exchange(opts, () => current, timeoutMs);

  let method = (opts.method ?? 'GET').toUpperCase();
  let body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['user-agent'] ??= opts.userAgent ?? DEFAULT_USER_AGENT;
  headers.accept ??= '*/*';
  if (opts.decompress !== false) headers['accept-encoding'] ??= 'gzip, deflate, br';
  const visited = new Set<string>();
  let dnsMs = 0;

  try {
    for (;;) {
      const dnsStart = Date.now();
      let checked: CheckedUrl;
      try {
        checked = await ex.race(checkUrl(current, opts.policy, { resolver: opts.resolver }));
      } catch (error) {
        if (error instanceof UrlNotAllowedError) {
          const prefix = redirects.length > 0 ? `redirect to ${preview(current)} refused: ` : '';
          throw new FetchError('url_not_allowed', `${prefix}${error.message}`, {
            url: current,
            redirects,
            cause: error,
          });
        }
        if (error instanceof FetchError) {
          throw new FetchError(error.code, error.message, { url: current, redirects, cause: error.cause });
        }
        throw error;
      }
      dnsMs += Date.now() - dnsStart;
      visited.add(checked.url.href);

      const sent: OutgoingHttpHeaders = { ...headers, host: checked.url.host };
      if (body !== undefined) sent['content-length'] = body.length;
      let res: IncomingMessage | null = null;
      let address = checked.addresses[0];
      for (let i = 0, retried = false; res === null; ) {
        address = checked.addresses[i];
        try {
          res = (await ex.race(sendOnce(ex, checked, address, method, sent, body, headersTimeoutMs, opts.ca)))
            .res;
        } catch (error) {
          if (ex.failed) throw ex.failed;
          const err = error as NodeJS.ErrnoException & { reusedSocket?: boolean };
          const idempotent = method === 'GET' || method === 'HEAD';
          if (err.code === 'ECONNRESET' && err.reusedSocket && idempotent && !retried) {
            retried = true;
            continue;
          }
          if (CONNECT_RETRY_CODES.has(err.code ?? '') && i + 1 < checked.addresses.length) {
            i++;
            continue;
          }
          throw toRequestFailure(error, current, redirects);
        }
      }

      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (!REDIRECT_STATUSES.has(status) || location === undefined || maxRedirects === 0) {
        const out = openBody(ex, res, current, redirects, { ...opts, method });
        if (ex.failed) throw ex.failed;
        return {
          url: current,
          status,
          statusMessage: res.statusMessage ?? '',
          headers: flattenHeaders(res.headers),
          incomingHeaders: res.headers,
          redirects,
          address: address.address,
          body: out,
          timings: { dnsMs, ttfbMs: Date.now() - startedAt, startedAt },
        };
      }

      res.destroy();
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new FetchError('http_protocol', `invalid redirect Location from ${preview(current)}`, {
          url: current,
          redirects,
        });
      }
      if (redirects.length >= maxRedirects) {
        throw new FetchError('too_many_redirects', `more than ${maxRedirects} redirects`, {
          url: current,
          redirects,
        });
      }
      if (visited.has(next.href)) {
        throw new FetchError('too_many_redirects', `redirect loop back to ${preview(next.href)}`, {
          url: current,
          redirects,
        });
      }
      if (checked.url.protocol === 'https:' && next.protocol === 'http:' && !opts.allowHttpsDowngrade) {
        throw new FetchError(
          'url_not_allowed',
          `redirect from https to http refused (${preview(next.href)})`,
          {
            url: current,
            redirects,
            cause: new UrlNotAllowedError('insecure_redirect', 'redirect from https to http refused'),
          },
        );
      }
      if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      if (next.origin !== checked.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
      const hop: NextHop = { url: next.href, headers };
      if (opts.onRedirect) {
        opts.onRedirect({ from: current, status, headers: res.headers }, hop);
        const edited = Object.entries(hop.headers);
        for (const name of Object.keys(headers)) delete headers[name];
        for (const [name, value] of edited) headers[name.toLowerCase()] = value;
      }
      current = hop.url;
      redirects.push(current);
    }
  } catch (error) {
    const failure = error instanceof FetchError ? error : toRequestFailure(error, current, redirects);
    ex.fail(failure);
    throw failure;
  }
}
