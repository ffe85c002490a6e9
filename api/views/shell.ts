/**
 * The HTML shell every report page is served in. It holds no data at all: the page's module script
 * fetches the JSON API and renders with `textContent`, so nothing crawled ever reaches this template.
 */

export type PageName = 'overview' | 'trend' | 'competitor' | 'weekly' | 'not-found';

const TITLES: Record<PageName, string> = {
  overview: 'Market overview',
  trend: 'Trend',
  competitor: 'Competitor',
  weekly: 'Weekly report',
  'not-found': 'Not found',
};

/** Who the page is for: a browser session gets a "Sign out" link; a key or an open install has nothing to end. */
export interface ShellOptions {
  signedIn?: boolean;
}

/** Returns the page's HTML: static layout, the uPlot bundle and the page module, all from our origin. */
export function renderShell(page: PageName, opts: ShellOptions = {}): string {
  const signOut = opts.signedIn ? '\n        <a href="/logout" data-testid="sign-out">Sign out</a>' : '';
  const script =
    page === 'not-found' ? '' : `\n    <script type="module" src="/assets/js/pages/${page}.js"></script>`;
  const body =
    page === 'not-found'
      ? '<section class="empty"><h1>Page not found</h1><p>Nothing here. Go back to the <a href="/">overview</a>.</p></section>'
      : '<p class="loading">Loading…</p><noscript>This report renders in the browser: please enable JavaScript.</noscript>';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${TITLES[page]} · Market Radar</title>
    <link rel="stylesheet" href="/assets/vendor/uplot/uPlot.min.css">
    <link rel="stylesheet" href="/assets/css/app.css">
    <script src="/assets/vendor/uplot/uPlot.iife.min.js"></script>${script}
  </head>
  <body data-page="${page}">
    <header class="topbar">
      <a class="brand" href="/">Market Radar</a>
      <nav>
        <a href="/">Overview</a>
        <a href="/report/weekly">Weekly report</a>
        <a href="/docs">API</a>${signOut}
      </nav>
    </header>
    <main id="app">
      ${body}
    </main>
  </body>
</html>
`;
}
