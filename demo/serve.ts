import { parseArgs } from 'node:util';
import { startDemoMarket } from './market.ts';

/** Runs the demo market until interrupted: `npx tsx demo/serve.ts [--port N] [--seed N] [--day-seconds N]`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      seed: { type: 'string', default: '42' },
      'day-seconds': { type: 'string', default: '4' },
      'products-per-shop': { type: 'string', default: '12' },
    },
  });
  const market = await startDemoMarket({
    basePort: Number(values.port),
    seed: Number(values.seed),
    daySeconds: Number(values['day-seconds']),
    productsPerShop: Number(values['products-per-shop']),
  });
  for (const [key, origin] of Object.entries(market.origins)) console.log(`${key.padEnd(9)} ${origin}`);
  console.log(`blog feed ${market.origins.voices}/blog/feed.xml`);
  console.log(`social    ${market.origins.voices}/social/xrpc/app.bsky.feed.searchPosts?q=*`);
  const stop = async () => {
    await market.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
