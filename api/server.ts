import type { Config } from '../config.ts';
import { type AppDeps, buildApp } from './app.ts';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Builds the app and listens on the configured host and port. */
export async function startApi(config: Config, deps: AppDeps): Promise<RunningApi> {
  const app = await buildApp(deps);
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  return { url: `http://${config.host}:${port}`, close: () => app.close() };
}
