/**
 * The one place that reads the environment. Entry points call `loadConfig(process.env, argv)` once and
 * pass the result down; nothing else reads `process.env`.
 */
import { resolve } from 'node:path';

/** `all` runs everything in one process; `migrate` applies migrations and exits. */
export type Role = 'all' | 'api' | 'worker' | 'migrate';

/** How the API asks for keys: see `Config.auth`. */
export type AuthMode = 'auto' | 'required' | 'off';

export interface Config {
  role: Role;
  /** Real Postgres when set; otherwise the embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** Real Redis + BullMQ when set; otherwise jobs run in-process. */
  redisUrl: string | null;
  dataDir: string;
  host: string;
  port: number;
  /** Where people reach the dashboard; used for links in alerts. */
  publicUrl: string;
  logLevel: string;
  /** Longest wait for one API statement's answer before the request answers 503 (a hung database). */
  apiQueryTimeoutMs: number;
  /** fakeSlack (DEMO_SLACK=1): a local fake Slack webhook the demo routes its default rules to. */
  demo: { enabled: boolean; seed: number; daySeconds: number; basePort: number; fakeSlack: boolean };
  crawl: {
    userAgent: string;
    /** Pages fetched at once per crawl job. */
    maxConcurrency: number;
    /** Per-request timeout. */
    timeoutMs: number;
    /** Cap on a response body, on the wire and decompressed. */
    maxBytes: number;
    maxRetries: number;
    chromiumPath: string;
  };
  /** lockMs: how long a job stays locked to a worker that stops answering before another takes it over. */
  /** queues: which queues this worker process takes jobs from (WORKER_QUEUES; all by default). */
  worker: { concurrency: number; queuePrefix: string; lockMs: number; queues: WorkerQueue[] };
  /** Outbound URL policy: private addresses are refused unless listed here ("ip:port", "host:port" or CIDR). */
  net: { allowPrivate: boolean; allow: string[] };
  /** Alert delivery (Slack and signed webhooks). Every delay is here so tests can compress time. */
  delivery: {
    /** Least time between two messages to one Slack webhook (Slack allows about 1 per second). */
    slackIntervalMs: number;
    /** Per-request budget, headers and body included. */
    timeoutMs: number;
    /** Waits before retry 1, 2, …; the message is dead-lettered after the last (about 17.6 h by default). */
    retryScheduleMs: number[];
    /** Each retry wait is scaled by a random factor in [1 - jitter, 1 + jitter]. */
    jitter: number;
    /** Multiplies a receiver's Retry-After (1 in production; tests compress time). */
    retryAfterScale: number;
    /** Wait used when a 429 carries no usable Retry-After. */
    defaultRetryAfterMs: number;
    /** How long one worker owns a channel's sender before another may take it over after a crash. */
    leaseMs: number;
    /** A sender sleeps at most this long inline; longer waits become a delayed job. */
    maxInlineWaitMs: number;
    /** One drain job sends for at most this long, then hands over to a fresh job (graceful shutdown). */
    maxDrainMs: number;
    /** How often digests are checked for a period that has ended (and stranded messages swept). */
    digestTickMs: number;
    /** After a secret rotation, the old secret keeps signing (beside the new) for this long. */
    secretOverlapMs: number;
  };
  auth: {
    /**
     * `auto`: requests need no key only while the server listens on a loopback host, no key exists yet and the
     * request comes from this machine (the newcomer's `npm start`); `required`: always a key; `off`: never
     * (a trusted network only). In `auto` and `required`, the very first key may be created from this machine.
     */
    mode: AuthMode;
    /** Requests per minute per key (per client address without one); 0 turns rate limiting off. */
    rateLimitPerMinute: number;
    /** Fastify's trustProxy: false (X-Forwarded-For ignored), true (any proxy), or proxy addresses/CIDRs. */
    trustProxy: boolean | string;
    /** Lifetime of a browser session minted by /login. */
    sessionTtlSeconds: number;
  };
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

type Env = Record<string, string | undefined>;

function int(env: Env, key: string, fallback: number, min = 0): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`${key} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${env[key]}"`);
}

function num(env: Env, key: string, fallback: number, min = 0): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${key} must be a number ≥ ${min}, got "${raw}"`);
  return n;
}

function intList(env: Env, key: string, fallback: number[]): number[] {
  const items = list(env, key);
  if (items.length === 0) return fallback;
  return items.map((_, i) => int({ [key]: items[i] }, key, 0));
}

/** The job queues (jobs/types.ts QUEUES); a worker process can be given a subset. */
export const WORKER_QUEUES = ['crawl', 'analyze', 'deliver'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

function workerQueues(env: Env): WorkerQueue[] {
  const names = list(env, 'WORKER_QUEUES');
  if (names.length === 0) return [...WORKER_QUEUES];
  for (const n of names)
    if (!(WORKER_QUEUES as readonly string[]).includes(n))
      throw new ConfigError(`WORKER_QUEUES: unknown queue "${n}" (queues: ${WORKER_QUEUES.join(', ')})`);
  return [...new Set(names)] as WorkerQueue[];
}

function authMode(env: Env): AuthMode {
  const raw = env.AUTH?.trim().toLowerCase() || 'auto';
  if (raw !== 'auto' && raw !== 'required' && raw !== 'off')
    throw new ConfigError(`AUTH must be auto, required or off, got "${env.AUTH}"`);
  return raw;
}

function trustProxy(env: Env): boolean | string {
  const raw = env.TRUST_PROXY?.trim() ?? '';
  if (raw === '' || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  return list(env, 'TRUST_PROXY').join(',');
}

function list(env: Env, key: string): string[] {
  return (env[key] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Parses configuration from the environment and command-line flags (`--role api|worker|all`, `--no-demo`,
 * `--port N`). Throws ConfigError naming the bad setting.
 */
export function loadConfig(env: Env, argv: string[] = []): Config {
  let role: Role = 'all';
  let demoFlag: boolean | undefined;
  let portFlag: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--role') {
      const r = argv[++i];
      if (r !== 'all' && r !== 'api' && r !== 'worker' && r !== 'migrate') {
        throw new ConfigError('--role must be all, api, worker or migrate');
      }
      role = r;
    } else if (a === '--no-demo') demoFlag = false;
    else if (a === '--demo') demoFlag = true;
    else if (a === '--port') portFlag = Number(argv[++i]);
    else throw new ConfigError(`unknown option ${a}`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  const redisUrl = env.REDIS_URL?.trim() || null;
  if ((role === 'api' || role === 'worker') && (!databaseUrl || !redisUrl)) {
    throw new ConfigError(
      `--role ${role} needs DATABASE_URL and REDIS_URL (separate processes share real services)`,
    );
  }
  if (role === 'migrate' && !databaseUrl) throw new ConfigError('--role migrate needs DATABASE_URL');
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = portFlag ?? int(env, 'PORT', 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0..65535`);
  const demoEnabled = demoFlag ?? bool(env, 'DEMO', true);
  return {
    role,
    databaseUrl,
    redisUrl,
    dataDir: resolve(env.MARKET_RADAR_DATA_DIR?.trim() || './data'),
    host,
    port,
    publicUrl: (env.PUBLIC_URL?.trim() || `http://${host}:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    apiQueryTimeoutMs: int(env, 'API_QUERY_TIMEOUT_MS', 10_000, 100),
    demo: {
      enabled: demoEnabled,
      seed: int(env, 'DEMO_SEED', 42),
      daySeconds: int(env, 'DEMO_DAY_SECONDS', 4, 1),
      basePort: int(env, 'DEMO_PORT', 3101),
      fakeSlack: bool(env, 'DEMO_SLACK', false),
    },
    crawl: {
      userAgent: env.CRAWL_USER_AGENT?.trim() || 'MarketRadarBot/0.1 (+https://github.com/market-radar)',
      maxConcurrency: int(env, 'CRAWL_CONCURRENCY', 8, 1),
      timeoutMs: int(env, 'CRAWL_TIMEOUT_MS', 30_000, 100),
      maxBytes: int(env, 'CRAWL_MAX_BYTES', 5 * 1024 * 1024, 1024),
      maxRetries: int(env, 'CRAWL_MAX_RETRIES', 2, 0),
      chromiumPath: env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium',
    },
    worker: {
      // Jobs spend most of their time in the database, so twice the crawler's page slots keeps those busy.
      concurrency: int(env, 'WORKER_CONCURRENCY', 16, 1),
      queuePrefix: env.QUEUE_PREFIX?.trim() || 'market-radar',
      lockMs: int(env, 'WORKER_LOCK_MS', 30_000, 1000),
      queues: workerQueues(env),
    },
    net: { allowPrivate: bool(env, 'ALLOW_PRIVATE_URLS', false), allow: list(env, 'URL_ALLOWLIST') },
    delivery: {
      slackIntervalMs: int(env, 'DELIVERY_SLACK_INTERVAL_MS', 1000),
      timeoutMs: int(env, 'DELIVERY_TIMEOUT_MS', 15_000, 100),
      // Standard Webhooks' schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h), each with jitter.
      retryScheduleMs: intList(
        env,
        'DELIVERY_RETRY_SCHEDULE_MS',
        [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
      ),
      jitter: num(env, 'DELIVERY_JITTER', 0.2),
      retryAfterScale: num(env, 'DELIVERY_RETRY_AFTER_SCALE', 1),
      defaultRetryAfterMs: int(env, 'DELIVERY_DEFAULT_RETRY_AFTER_MS', 30_000),
      leaseMs: int(env, 'DELIVERY_LEASE_MS', 60_000, 100),
      maxInlineWaitMs: int(env, 'DELIVERY_MAX_INLINE_WAIT_MS', 10_000),
      maxDrainMs: int(env, 'DELIVERY_MAX_DRAIN_MS', 25_000, 100),
      digestTickMs: int(env, 'DIGEST_TICK_MS', 60_000, 100),
      secretOverlapMs: int(env, 'WEBHOOK_SECRET_OVERLAP_MS', 86_400_000),
    },
    auth: {
      mode: authMode(env),
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600),
      trustProxy: trustProxy(env),
      sessionTtlSeconds: int(env, 'SESSION_TTL_SECONDS', 7 * 86_400, 60),
    },
  };
}

/**
 * Whether this process runs the demo market (and seeds it into an empty database): when the demo is enabled
 * (`DEMO`, `--demo` / `--no-demo`), in the process that serves the API (`all` or `api`), never in a worker or a
 * migration.
 */
export function runsDemoMarket(config: Pick<Config, 'demo' | 'role'>): boolean {
  return config.demo.enabled && (config.role === 'all' || config.role === 'api');
}

/** The process's own environment, for entry points (the only place besides tests that hands env to loadConfig). */
export function processEnv(): Env {
  return process.env;
}
