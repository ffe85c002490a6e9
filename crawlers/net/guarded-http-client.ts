import type { IncomingHttpHeaders } from 'node:http';
import { Transform } from 'node:stream';
import {
  type BaseHttpClient,
  type BaseHttpResponseData,
  type HttpRequest,
  type HttpResponse,
  NonRetryableError,
  type RedirectHandler,
  type ResponseTypes,
  type StreamingHttpResponse,
} from '@crawlee/core';
import { FetchError, type FetchErrorCode } from './fetch-error.ts';
import {
  DEFAULT_MAX_REDIRECTS,
  type GuardedRequestOptions,
  type GuardedResponse,
  openGuardedResponse,
} from './open-guarded-response.ts';
import type { UrlPolicy } from './url-policy.ts';

/** Transport settings of a `GuardedHttpClient` (per-request method, headers, body come from crawlee). */
export type GuardedHttpClientOptions = Omit<
  GuardedRequestOptions,
  'policy' | 'method' | 'headers' | 'body' | 'signal' | 'onRedirect'
>;

/** Codes a retry cannot fix; crawlee must not retry them (crawlee's NonRetryableError vocabulary). */
const PERMANENT_CODES: ReadonlySet<FetchErrorCode> = new Set([
  'url_not_allowed',
  'too_large',
  'too_many_redirects',
  'dns',
  'http_protocol',
]);

/** A permanent FetchError as crawlee understands it: never retried, `code` and `cause` kept. */
export class PermanentFetchError extends NonRetryableError {
  readonly code: FetchErrorCode;
  readonly url: string;

  constructor(cause: FetchError) {
    super(cause.message);
    this.name = 'PermanentFetchError';
    this.code = cause.code;
    this.url = cause.url;
    this.cause = cause;
  }
}

/**
 * Map a transport error to what crawlee expects: permanent FetchErrors become PermanentFetchError
 * (a NonRetryableError), transient ones (timeout, connect, truncated) stay FetchError and are retried.
 */
export function toCrawlerError(error: unknown): unknown {
  return error instanceof FetchError && PERMANENT_CODES.has(error.code)
    ? new PermanentFetchError(error)
    : error;
}

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function flattenRequestHeaders(headers: HttpRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function requestBody(request: HttpRequest): string | Buffer | undefined {
  const { body } = request;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) return body;
  throw new NonRetryableError('GuardedHttpClient only sends string or Buffer bodies');
}

function responseData(
  url: string,
  status: number,
  headers: IncomingHttpHeaders,
  redirects: readonly string[],
): BaseHttpResponseData {
  return {
    url,
    statusCode: status,
    headers,
    trailers: {},
    complete: true,
    redirectUrls: redirects.map((u) => new URL(u)),
  };
}

/**
 * crawlee HTTP client (crawlee ≥ 3.10 `httpClient` option) that sends every request, redirect hop
 * included, through the SSRF-guarded transport: `new CheerioCrawler({ httpClient: new
 * GuardedHttpClient(policy) })`. Bodies are decompressed and capped; proxies are refused because the
 * guard could not see the real destination.
 */
export class GuardedHttpClient implements BaseHttpClient {
  constructor(
    private readonly policy: UrlPolicy,
    private readonly options: GuardedHttpClientOptions = {},
  ) {}

  /**
   * Open a request and resolve once headers arrive. Throws PermanentFetchError (NonRetryableError) for
   * refused URLs, caps and redirect limits; FetchError for transient failures. The body stream errors
   * the same way.
   */
  async stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse> {
    if (request.proxyUrl) {
      throw new NonRetryableError(
        'GuardedHttpClient does not support proxies (the SSRF guard must see the target)',
      );
    }
    const headers = flattenRequestHeaders(request.headers);
    headers.accept ??= HTML_ACCEPT;
    const body = requestBody(request);
    const requestTimeout =
      request.timeout && 'request' in request.timeout && request.timeout.request
        ? request.timeout.request
        : undefined;
    const timeoutMs = Math.min(
      requestTimeout ?? Number.POSITIVE_INFINITY,
      this.options.timeoutMs ?? Number.POSITIVE_INFINITY,
    );
    const maxRedirects =
      request.followRedirect === false
        ? 0
        : Math.min(
            request.maxRedirects ?? Number.POSITIVE_INFINITY,
            this.options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
          );

    let response: GuardedResponse;
    try {
      response = await openGuardedResponse(String(request.url), {
        ...this.options,
        policy: this.policy,
        method: request.method ?? 'GET',
        headers,
        body,
        signal: request.signal,
        timeoutMs: Number.isFinite(timeoutMs) ? timeoutMs : undefined,
        maxRedirects,
        onRedirect: onRedirect
          ? (hop, next) => {
              const updated: { url?: string | URL; headers: Record<string, string | string[] | undefined> } =
                {
                  url: next.url,
                  headers: next.headers,
                };
              onRedirect(responseData(hop.from, hop.status, hop.headers, []), updated);
              next.url = String(updated.url ?? next.url);
              next.headers = flattenRequestHeaders(updated.headers);
            }
          : undefined,
      });
    } catch (error) {
      throw toCrawlerError(error);
    }

    let transferred = 0;
    let ended = false;
    const total = Number(response.headers['content-length']) || undefined;
    const stream = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        transferred += chunk.length;
        callback(null, chunk);
      },
    });
    response.body.on('error', (error) => stream.destroy(toCrawlerError(error) as Error));
    stream.on('close', () => {
      if (!response.body.readableEnded) response.body.destroy();
    });
    response.body.pipe(stream);
    const sentBytes = body === undefined ? 0 : Buffer.byteLength(body);
    const result: StreamingHttpResponse = {
      ...responseData(response.url, response.status, response.incomingHeaders, response.redirects),
      statusMessage: response.status === 0 ? undefined : response.statusMessage,
      ip: response.address,
      complete: false,
      request,
      stream,
      get downloadProgress() {
        return { percent: ended ? 1 : total ? transferred / total : 0, transferred, total };
      },
      get uploadProgress() {
        return { percent: 1, transferred: sentBytes, total: sentBytes };
      },
    };
    stream.on('end', () => {
      ended = true;
      result.complete = true;
    });
    return result;
  }

  /**
   * Send a request and read the whole (capped, decoded) body as text, buffer or JSON. Throws like
   * `stream`, plus an Error for status ≥ 400 when `throwHttpErrors` is set.
   */
  async sendRequest<TResponseType extends keyof ResponseTypes = 'text'>(
    request: HttpRequest<TResponseType>,
  ): Promise<HttpResponse<TResponseType>> {
    const {
      stream,
      downloadProgress: _d,
      uploadProgress: _u,
      ...data
    } = await this.stream(request as HttpRequest);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const buffer = Buffer.concat(chunks);
    if (request.throwHttpErrors && data.statusCode >= 400) {
      throw new Error(`Request failed with status code ${data.statusCode}: ${String(request.url)}`);
    }
    const type = request.responseType ?? 'text';
    const text = (): string => buffer.toString(request.encoding ?? 'utf8');
    const body = type === 'buffer' ? buffer : type === 'json' ? (JSON.parse(text()) as unknown) : text();
    return { ...data, complete: true, body } as HttpResponse<TResponseType>;
  }
}
