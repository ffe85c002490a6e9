/**
 * Jobs: definitions `{ name, queue, schema, process }`, the BullMQ and in-process runners behind one
 * `JobQueue`, and the worker role. Processors are idempotent: BullMQ delivers at least once.
 */
export * from './analyze-mentions.ts';
export * from './bullmq.ts';
export * from './check-freshness.ts';
export * from './crawl-target.ts';
export * from './crawl-voices.ts';
export * from './dead-letter.ts';
export * from './deliver-alert.ts';
export * from './delivery/index.ts';
export * from './delivery/seed-demo-slack.ts';
export * from './detect-trends.ts';
export * from './evaluate-alerts.ts';
export * from './in-process.ts';
export * from './job-queue.ts';
export * from './registry.ts';
export * from './run-job.ts';
export * from './schedule-targets.ts';
export * from './seed-market.ts';
export * from './send-digest.ts';
export * from './types.ts';
export * from './worker.ts';
