import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * Pool settings for the embedded server. PGlite is one backend session: the socket server multiplexes
 * connections onto it, but interleaved extended-protocol messages from two connections break unnamed
 * portals ("portal does not exist"). One connection serialises exactly as PGlite does anyway; waits are
 * longer under load, so the connect timeout is generous. The socket does not speak COPY's sub-protocol (it loses
 * protocol sync), so bulk writes take their INSERT path.
 */
export const EMBEDDED_POOL = { max: 1, connectionTimeoutMs: 120_000, canCopy: false } as const;

export interface EmbeddedPostgres {
  /** A postgres:// URL our ordinary `pg` pool connects to (use EMBEDDED_POOL settings). */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts PGlite (real Postgres compiled to WASM) on `dataDir` and serves it on a loopback socket, so the
 * rest of the app talks plain `pg` whether or not a real server exists. `dataDir` 'memory://' keeps
 * nothing on disk (tests).
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 32 });
  await server.start();
  const addr = server.getServerConn();
  return {
    url: `postgres://postgres@${addr}/postgres?sslmode=disable`,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}
