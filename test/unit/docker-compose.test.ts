import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PG_URL, REDIS_URL, requireService } from '../support/services.ts';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; start_period?: string };
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
    for (const name of ['postgres', 'redis', 'api', 'worker'])
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

  describe('the worker healthcheck', () => {
    const hc = compose.services.worker.healthcheck;
    const script = hc?.test[3] ?? '';
    const ROOT = fileURLToPath(new URL('../../', import.meta.url));
    /** Runs the healthcheck as Docker would (CMD node -e …) from the image's working directory (the repo here). */
    const check = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['-e', script], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
        timeout: 15_000,
      });
    /** A process whose command line reads like `tsx main.ts --role worker` (what the check looks for in /proc). */
    const lookalikeWorker = () =>
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'main.ts', '--role', 'worker'], {
        stdio: 'ignore',
      });

    it('is a node script run in the container, within its timeout, with nothing compose would interpolate', () => {
      expect(hc?.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(script).toContain('REDIS_URL');
      expect(script).toContain('DATABASE_URL');
      expect(script).not.toContain('$');
      expect(hc?.interval).toBeDefined();
      expect(hc?.timeout).toBeDefined();
      // The worker boots (tsx, crawlers) before it is judged.
      expect(hc?.start_period).toBeDefined();
    });

    it('fails when Redis and Postgres do not answer', () => {
      const worker = lookalikeWorker();
      try {
        const started = Date.now();
        const r = check({
          REDIS_URL: 'redis://127.0.0.1:1',
          DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x',
        });
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/ECONNREFUSED|did not answer/);
        // Docker's timeout is 5 s: the check decides before it.
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        worker.kill('SIGKILL');
      }
    });

    it('passes for a running worker process that reaches Redis and Postgres', async () => {
      if (
        !(await requireService('postgres', 'worker healthcheck')) ||
        !(await requireService('redis', 'worker healthcheck'))
      )
        return;
      const worker = lookalikeWorker();
      try {
        const r = check({ REDIS_URL, DATABASE_URL: PG_URL });
        expect(r.status, r.stderr).toBe(0);
      } finally {
        worker.kill('SIGKILL');
      }
    });
  });
});
