import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('targets API', () => {
  it('creates, reads, lists, patches and deletes a target, keeping one schedule per target', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/targets',
      payload: {
        kind: 'product',
        url: 'https://shop.test/p/lipstick',
        intervalSeconds: 3600,
        options: { currency: 'USD' },
      },
    });
    expect(created.statusCode).toBe(201);
    const target = created.json();
    expect(target).toMatchObject({ kind: 'product', url: 'https://shop.test/p/lipstick', enabled: true });
    expect(await t.queue.scheduler.count()).toBe(1);

    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/targets',
      payload: { kind: 'product', url: 'https://shop.test/p/lipstick' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toBe('TARGET_EXISTS');

    expect((await t.app.inject(`/api/targets/${target.id}`)).json().id).toBe(target.id);
    const list = (await t.app.inject('/api/targets?kind=product')).json();
    expect(list.items.map((x: { id: number }) => x.id)).toContain(target.id);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/targets/${target.id}`,
      payload: { enabled: false },
    });
    expect(patched.json().enabled).toBe(false);
    expect(await t.queue.scheduler.count()).toBe(0);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/targets/${target.id}` })).statusCode).toBe(204);
    expect((await t.app.inject(`/api/targets/${target.id}`)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/targets/${target.id}` })).json().error).toBe(
      'TARGET_NOT_FOUND',
    );
  });

  it('pages through targets with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/targets',
        payload: { kind: 'catalog', url: `https://shop.test/c/${i}` },
      });
    }
    const first = (await t.app.inject('/api/targets?kind=catalog&limit=3')).json();
    expect(first.items).toHaveLength(3);
    const second = (
      await t.app.inject(`/api/targets?kind=catalog&limit=3&cursor=${first.nextCursor}`)
    ).json();
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect((await t.app.inject('/api/targets?cursor=garbage')).json().error).toBe('INVALID_CURSOR');
  });

  it('answers bad input with a 400 that names the field, and stores nothing', async () => {
    const before = (await t.app.inject('/api/targets?limit=1000')).json().items.length;
    const cases = [
      { kind: 'nope', url: 'https://shop.test/x' },
      { kind: 'product' },
      { kind: 'product', url: 'https://shop.test/x', surprise: 1 },
      { kind: 'product', url: 'https://shop.test/x', intervalSeconds: 'often' },
      { kind: 'product', url: 'https://shop.test/x', options: { currency: 'dollars' } },
    ];
    for (const payload of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/api/targets', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toBe('VALIDATION_FAILED');
      expect(res.json().message).toMatch(/body/);
    }
    expect((await t.app.inject('/api/targets?limit=1000')).json().items.length).toBe(before);
  });

  it('refuses URLs that point at private, loopback or metadata addresses (SSRF at registration)', async () => {
    const payloads = [
      'http://127.0.0.1:6379/',
      'http://localhost/',
      'http://[::1]/',
      'http://0x7f.0.0.1/',
      'http://2130706433/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://evil.test/',
      'http://metadata.test/',
      'file:///etc/passwd',
      'gopher://shop.test/',
      'javascript:alert(1)',
      'http://user:pw@shop.test/',
    ];
    for (const url of payloads) {
      const res = await t.app.inject({ method: 'POST', url: '/api/targets', payload: { kind: 'page', url } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatch(/URL_NOT_ALLOWED|VALIDATION_FAILED/);
    }
    const names = (await t.app.inject('/api/targets?kind=page')).json().items;
    expect(names).toEqual([]);
  });

  it('serves JSON errors for unknown routes and an OpenAPI document', async () => {
    const res = await t.app.inject('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('NOT_FOUND');
    const doc = (await t.app.inject('/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/targets', '/api/price-changes', '/api/alerts', '/health']),
    );
  });

  it('reports health of the database and the queue', async () => {
    const res = await t.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', db: 'up', queue: 'up', queueMode: 'in-process' });
  });
});
