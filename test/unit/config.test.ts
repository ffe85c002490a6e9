import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded mode with the demo', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      role: 'all',
      databaseUrl: null,
      redisUrl: null,
      port: 3000,
      host: '127.0.0.1',
    });
    expect(c.demo.enabled).toBe(true);
    expect(c.net.allowPrivate).toBe(false);
  });

  it('turns the demo off with --no-demo or DEMO=0', () => {
    expect(loadConfig({}, ['--no-demo']).demo.enabled).toBe(false);
    expect(loadConfig({ DEMO: '0' }).demo.enabled).toBe(false);
  });

  it('refuses split roles without real services, and names bad settings', () => {
    expect(() => loadConfig({}, ['--role', 'api'])).toThrow(/DATABASE_URL and REDIS_URL/);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://x' }, ['--role', 'worker']).role,
    ).toBe('worker');
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO: 'maybe' })).toThrow(/DEMO must be true or false/);
    expect(() => loadConfig({}, ['--bogus'])).toThrow(/unknown option --bogus/);
  });

  it('reads the outbound allow-list', () => {
    expect(loadConfig({ URL_ALLOWLIST: '127.0.0.1:8080, 10.0.0.0/8' }).net.allow).toEqual([
      '127.0.0.1:8080',
      '10.0.0.0/8',
    ]);
  });

  it('gives a worker all queues unless WORKER_QUEUES names some, and refuses an unknown queue', () => {
    expect(loadConfig({}).worker.queues).toEqual(['crawl', 'analyze', 'deliver']);
    expect(loadConfig({ WORKER_QUEUES: 'analyze, deliver,analyze' }).worker.queues).toEqual([
      'analyze',
      'deliver',
    ]);
    expect(() => loadConfig({ WORKER_QUEUES: 'crawl,analyse' })).toThrow(
      /WORKER_QUEUES: unknown queue "analyse"/,
    );
  });
});
