/** Why a social source could not be read; decides retry (rate_limited, unavailable) vs fix config (auth). */
export type SourceErrorKind = 'rate_limited' | 'auth' | 'unavailable' | 'bad_response';

/** A social source refused, failed or answered something unreadable. */
export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  /** How long the source asked us to wait, in ms; null when it did not say. */
  readonly retryAfterMs: number | null;
  /** Adapter name. */
  readonly source: string;

  constructor(
    kind: SourceErrorKind,
    message: string,
    opts: { source: string; retryAfterMs?: number | null; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SourceError';
    this.kind = kind;
    this.source = opts.source;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}
