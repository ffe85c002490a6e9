/**
 * `COPY … FROM STDIN` over a node-postgres client without pg-copy-streams (not a dependency): a Submittable that
 * answers the server's CopyInResponse with the prepared CopyData chunks, then CopyDone. Mention ingest stores
 * through it on real Postgres (PGlite's socket does not speak COPY's sub-protocol: `Db.canCopy` says which), and
 * the mention-ingest benchmark's baseline is a plain COPY through it.
 */
import type { PoolClient } from 'pg';

/** The few protocol calls of pg's (untyped) Connection that COPY IN needs. */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyIn {
  rowCount = 0;
  private done: ((err: Error | null) => void) | null;
  private error: Error | null = null;

  constructor(
    private readonly text: string,
    private readonly chunks: Buffer[],
    done: (err: Error | null) => void,
  ) {
    this.done = done;
  }

  private finish(err: Error | null) {
    const done = this.done;
    this.done = null;
    done?.(err);
  }

  submit(connection: unknown) {
    (connection as CopyConnection).query(this.text);
  }
  handleCopyInResponse(connection: unknown) {
    const c = connection as CopyConnection;
    for (const chunk of this.chunks) c.sendCopyFromChunk(chunk);
    c.endCopyFrom();
  }
  handleCommandComplete(msg: { text?: string }) {
    this.rowCount = Number(/(\d+)$/.exec(msg.text ?? '')?.[1] ?? 0);
  }
  handleReadyForQuery() {
    this.finish(this.error);
  }
  handleError(err: Error) {
    this.error = err;
    // pg's Client drops the active query on an error (a server error's ReadyForQuery then goes to the next one).
    this.finish(err);
  }
}

/** Runs `COPY <table> (<columns>) FROM STDIN` with text-format rows; resolves with the rows copied. */
export function copyIn(client: PoolClient, sql: string, chunks: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const q: CopyIn = new CopyIn(sql, chunks, (err) => (err ? reject(err) : resolve(q.rowCount)));
    client.query(q as unknown as Parameters<PoolClient['query']>[0]);
  });
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** One value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : String(v);
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** Rows → COPY text chunks of about `chunkBytes` each. */
export function copyChunks(rows: unknown[][], chunkBytes = 256 * 1024): Buffer[] {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    const line = `${row.map(copyValue).join('\t')}\n`;
    lines.push(line);
    bytes += line.length;
    if (bytes >= chunkBytes) {
      chunks.push(Buffer.from(lines.join(''), 'utf8'));
      lines = [];
      bytes = 0;
    }
  }
  if (lines.length) chunks.push(Buffer.from(lines.join(''), 'utf8'));
  return chunks;
}
