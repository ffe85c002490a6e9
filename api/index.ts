/** The API edge: `buildApp(deps)` (never listens) and `startApi` (listens, closes gracefully). */
export * from './app.ts';
export * from './server.ts';
