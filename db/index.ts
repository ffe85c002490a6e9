/**
 * The database edge: the only importer of `pg`. One pool per process (`createDb`), migrations under an
 * advisory lock (`migrate`), the embedded PGlite server (`startEmbeddedPostgres`), and intent-named queries,
 * a file per table or aggregate.
 */
export * from './alert-rules.ts';
export * from './alerts.ts';
export * from './api-keys.ts';
export * from './channels.ts';
export * from './competitors.ts';
export * from './crawl-runs.ts';
export * from './dead-letters.ts';
export * from './deliveries.ts';
export * from './embedded.ts';
export * from './entities.ts';
export * from './events.ts';
export * from './fx.ts';
export * from './mentions.ts';
export * from './migrate.ts';
export * from './observations.ts';
export * from './pool.ts';
export * from './products.ts';
export * from './targets.ts';
export * from './trends.ts';
