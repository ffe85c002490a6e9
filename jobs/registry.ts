import { analyzeMentions } from './analyze-mentions.ts';
import { checkFreshness } from './check-freshness.ts';
import { crawlTarget } from './crawl-target.ts';
import { deliverAlert } from './deliver-alert.ts';
import { detectTrends } from './detect-trends.ts';
import { evaluateAlerts } from './evaluate-alerts.ts';
import { sendDigests } from './send-digest.ts';
import type { JobDefinition } from './types.ts';

/** Every job the workers run, by name (the key is the definition's `name`). */
export const JOBS = {
  'analyze-mentions': analyzeMentions,
  'check-freshness': checkFreshness,
  'crawl-target': crawlTarget,
  'detect-trends': detectTrends,
  'evaluate-alerts': evaluateAlerts,
  'deliver-alert': deliverAlert,
  'send-digests': sendDigests,
} as const;

export type JobMap = typeof JOBS;

/** Job definitions beside JOBS that a runner was given (tests, plugins); a name in JOBS always wins. */
export type ExtraJobs = Readonly<Record<string, JobDefinition>>;

export function jobDefinition(name: string, extra?: ExtraJobs): JobDefinition | undefined {
  return Object.hasOwn(JOBS, name)
    ? (JOBS as Record<string, JobDefinition>)[name]
    : extra && Object.hasOwn(extra, name)
      ? extra[name]
      : undefined;
}
