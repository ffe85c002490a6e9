/** Alert delivery: per-channel senders, Standard Webhooks signing, response classification, message bodies. */
export * from './classify-response.ts';
export * from './create-messages.ts';
export * from './drain-channel.ts';
export * from './seed-demo-slack.ts';
export * from './send-message.ts';
export * from './sign.ts';
export * from './url-hint.ts';
