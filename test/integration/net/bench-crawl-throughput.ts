// Report-only benchmark (not a test): CheerioCrawler pages/s with GuardedHttpClient vs crawlee's
// default got-scraping client, same fixture (300 pages of ~30 KB on 127.0.0.1). Run:
//   npx tsx test/integration/net/bench-crawl-throughput.ts
import { type BaseHttpClient, CheerioCrawler, Configuration, GotScrapingHttpClient, log } from 'crawlee';
import { GuardedHttpClient } from '../../../crawlers/net/index.ts';
import { startFaultServer } from '../../support/fault-server.ts';

const PAGES = 300;
const filler =
  '<p class="offer">Lorem ipsum dolor sit amet, <b>price</b> 19.99 EUR — consectetur.</p>\n'.repeat(360);
const fixtures: Record<string, string> = {};
for (let i = 0; i < PAGES; i++) {
  fixtures[`p${i}`] =
    `<!doctype html><html><head><title>Page ${i}</title></head><body>${filler}</body></html>`;
}

async function run(
  label: string,
  httpClient: GuardedHttpClient | undefined,
  urls: string[],
): Promise<number> {
  let ok = 0;
  const crawler = new CheerioCrawler(
    {
      ...(httpClient ? { httpClient } : {}),
      maxConcurrency: 20,
      minConcurrency: 20,
      maxRequestRetries: 0,
      requestHandler: async ({ $ }) => {
        if ($('title').text().startsWith('Page')) ok++;
      },
    },
    new Configuration({ persistStorage: false }),
  );
  const started = performance.now();
  await crawler.run(urls.map((url) => ({ url, uniqueKey: `${label}-${url}-${Math.random()}` })));
  const seconds = (performance.now() - started) / 1000;
  const rate = ok / seconds;
  console.log(
    `${label.padEnd(10)} ${ok}/${urls.length} pages in ${seconds.toFixed(2)} s = ${rate.toFixed(1)} pages/s`,
  );
  return rate;
}

/** The client alone (no crawler autoscaling): 20 concurrent sendRequest loops over all pages. */
async function runClient(label: string, client: BaseHttpClient, urls: string[]): Promise<number> {
  const queue = [...urls];
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        const response = await client.sendRequest({ url });
        bytes += response.body.length;
      }
    }),
  );
  const rate = urls.length / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(16)} ${(bytes / 1e6).toFixed(1)} MB, ${rate.toFixed(0)} requests/s`);
  return rate;
}

log.setLevel(log.LEVELS.ERROR);
const fs = await startFaultServer({ fixtures });
const urls = Array.from({ length: PAGES }, (_, i) => `${fs.url}/html/p${i}`);
console.log(`page size ${fixtures.p0.length} bytes`);
const guarded = new GuardedHttpClient({ allowPrivate: false, allow: [`127.0.0.1:${fs.port}`] });
const rates: Record<string, number[]> = { default: [], guarded: [] };
for (let round = 0; round < 3; round++) {
  rates.default.push(await run('default', undefined, urls));
  rates.guarded.push(await run('guarded', guarded, urls));
}
for (let round = 0; round < 2; round++) {
  await runClient('client default', new GotScrapingHttpClient(), urls);
  await runClient('client guarded', guarded, urls);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `median default ${median(rates.default).toFixed(1)} pages/s, guarded ${median(rates.guarded).toFixed(1)} pages/s, ratio ${(median(rates.guarded) / median(rates.default)).toFixed(2)}×`,
);
await fs.close();
process.exit(0);
