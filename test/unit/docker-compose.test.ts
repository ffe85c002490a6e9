import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('runs postgres, redis (noeviction), a one-shot migrate, the api and workers from one image', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
    expect(s.redis.command?.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    for (const name of ['postgres', 'redis', 'api'])
      expect(s[name].healthcheck?.test.length, name).toBeGreaterThan(0);
    const images = new Set(['migrate', 'api', 'worker'].map((n) => s[n].image));
    expect(images.size).toBe(1);
    expect(s.migrate.command).toEqual(['npm', 'run', 'migrate']);
    expect(s.api.command).toEqual(['npm', 'run', 'start:api']);
    expect(s.worker.command).toEqual(['npm', 'run', 'start:worker']);
    expect(s.worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('starts the app only on healthy services and a finished migration, with real service URLs', () => {
    for (const name of ['api', 'worker']) {
      const svc = compose.services[name];
      expect(svc.depends_on?.postgres.condition).toBe('service_healthy');
      expect(svc.depends_on?.redis.condition).toBe('service_healthy');
      expect(svc.depends_on?.migrate.condition).toBe('service_completed_successfully');
      expect(svc.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(svc.environment?.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(compose.services.migrate.depends_on?.postgres.condition).toBe('service_healthy');
  });

  it('names only scripts that exist in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const svc of Object.values(compose.services)) {
      const cmd = svc.command ?? [];
      if (cmd[0] === 'npm' && cmd[1] === 'run') expect(pkg.scripts[cmd[2]], cmd.join(' ')).toBeDefined();
    }
  });
});
