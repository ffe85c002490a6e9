/**
 * Analyzers: pure functions that turn observations and text into events, scores, trends and alerts. No I/O.
 */
export * from './alerts/index.ts';
export * from './language/index.ts';
export * from './mentions/index.ts';
export * from './prices/detect-price-events.ts';
export * from './sentiment/index.ts';
export * from './trends/index.ts';
