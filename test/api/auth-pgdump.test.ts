// RELIABILITY.md S8, on the machine's real Postgres: after keys are created, used and turned into browser
// sessions, a real `pg_dump` of the whole database holds no key and no session token, only digests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createPostgresTestDb, type TestDb } from '../support/db.ts';
import { requireService } from '../support/services.ts';

const ready = await requireService('postgres', 'S8 pg_dump of the keys table');

let tdb: TestDb;
let t: TestApp;
beforeAll(async () => {
  if (!ready) return;
  tdb = await createPostgresTestDb();
  t = await createTestApp(tdb);
});
afterAll(async () => {
  await t?.close();
  await tdb?.close();
});

describe.runIf(ready)('S8: only digests in the database', () => {
  it('a pg_dump of the whole database contains no key, no secret part and no session token', async () => {
    const secrets: string[] = [];
    const create = async (role: string, auth?: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: auth ? { authorization: `Bearer ${auth}` } : {},
        payload: { role },
      });
      expect(res.statusCode, res.body).toBe(201);
      const key = res.json().key as string;
      secrets.push(key, key.slice(16));
      return key;
    };
    const admin = await create('admin');
    for (const role of ['viewer', 'editor', 'admin']) {
      const key = await create(role, admin);
      expect((await t.app.inject({ url: '/api/targets', headers: { 'x-api-key': key } })).statusCode).toBe(
        200,
      );
      const login = await t.app.inject({ method: 'POST', url: '/login', payload: { key } });
      const token = String(login.headers['set-cookie']).split(';')[0].split('=')[1];
      expect(token).toHaveLength(43);
      secrets.push(token);
    }

    const { stdout: dump } = await promisify(execFile)('pg_dump', ['--data-only', '--inserts', tdb.url], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toMatch(/INSERT INTO public\.api_keys/);
    expect(dump).toMatch(/INSERT INTO public\.api_sessions/);
    for (const s of secrets) expect(dump).not.toContain(s);
    // No key-shaped string at all (the public lookup part alone is not a key).
    expect(dump).not.toMatch(/mr_[0-9a-f]{12}_/);
  });
});
