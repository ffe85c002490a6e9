/** Alert analyzers: rule matching and validation, digest periods, and message rendering. Pure. */
export * from './digest-period.ts';
export * from './match-alert-rule.ts';
export * from './render-slack.ts';
export * from './render-webhook.ts';
export * from './validate-rule.ts';
