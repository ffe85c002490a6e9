/** A fetched response, as much of it as block detection needs. */
export interface BlockProbe {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  html: string | null;
}

export type BlockVerdict = { blocked: false } | { blocked: true; reason: string };

/** Interstitials of bot-protection vendors: their presence in a page means the page is theirs. */
const VENDOR_MARKERS: readonly [RegExp, string][] = [
  [
    /<title>\s*just a moment\.\.\.\s*<\/title>|cf_chl_opt|\/cdn-cgi\/challenge-platform|cf-browser-verification|id="challenge-form"/i,
    'Cloudflare challenge',
  ],
  [
    /attention required!\s*\|\s*cloudflare|cf-error-details|sorry, you have been blocked/i,
    'Cloudflare block page',
  ],
  [
    /px-captcha|_pxcaptcha|window\._pxappid|perimeterx|press\s*&(?:amp;)?\s*hold/i,
    'PerimeterX (HUMAN) challenge',
  ],
  [/captcha-delivery\.com|datadome\.co\/captcha|dd\.js[^<]{0,200}captcha/i, 'DataDome challenge'],
  [/_incapsula_resource|incapsula incident id/i, 'Imperva/Incapsula challenge'],
  [
    /errors\.edgesuite\.net|<title>\s*access denied\s*<\/title>[\s\S]{0,2000}reference\s*#\s*[\d.a-f]+/i,
    'Akamai access denied',
  ],
  [/<title>\s*pardon our interruption/i, 'Distil/Imperva interstitial'],
];
const CAPTCHA_WIDGET =
  /class="[^"]*\b(?:g-recaptcha|h-captcha|cf-turnstile)\b|challenges\.cloudflare\.com\/turnstile|hcaptcha\.com\/1\/api\.js|google\.com\/recaptcha\/(?:api|enterprise)\.js/i;
const HUMAN_CHECK =
  /verify (?:that )?you(?:'re| are) (?:a )?human|are you a (?:human|robot)|i'?m not a robot|not a robot|unusual traffic from your (?:computer|network)|complete the security check|checking (?:if the site connection is secure|your browser)|access to this page has been denied|automated (?:queries|requests|access)|bot detection/i;
const JS_REQUIRED =
  /(?:please )?enable javascript(?: and cookies)? to (?:continue|proceed|view|use)|javascript is (?:disabled|required)|you need to enable javascript|requires javascript to (?:run|work)|please turn javascript on/i;

function header(headers: BlockProbe['headers'], name: string): string {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(', ') : (v ?? '');
  }
  return '';
}

/** Visible text of a page, roughly: scripts, styles and tags removed. Bounded work on huge pages. */
function visibleText(html: string): string {
  return html
    .slice(0, 600_000)
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Decides whether a response is a bot block rather than the page asked for: HTTP 429; 403 (with
 * or without a vendor page); 503 carrying a challenge; and, whatever the status, vendor
 * interstitials (Cloudflare, Akamai, PerimeterX, DataDome, Imperva), captcha walls and
 * "enable JavaScript to continue" shells. A captcha widget or the word "captcha" on a page with
 * real content (a newsletter form's reCAPTCHA script) is not a block: captcha and JS-shell verdicts
 * need a near-empty page. A block is its own outcome for the crawler, never a content change.
 * Never throws.
 */
export function classifyBlock(probe: BlockProbe): BlockVerdict {
  const { status } = probe;
  const html = probe.html ?? '';
  const head = html.slice(0, 600_000);
  const server = header(probe.headers, 'server').toLowerCase();

  if (header(probe.headers, 'cf-mitigated').toLowerCase().includes('challenge')) {
    return { blocked: true, reason: `Cloudflare challenge (cf-mitigated header, HTTP ${status})` };
  }
  if (status === 429) {
    const retry = header(probe.headers, 'retry-after');
    return { blocked: true, reason: `HTTP 429 rate limited${retry ? ` (retry-after ${retry})` : ''}` };
  }

  const text = head ? visibleText(head) : '';
  const thin = text.length < 1500;
  // Under 400, every block verdict below needs a thin page: a page with content skips the pattern scans.
  if (status < 400 && !thin) return { blocked: false };
  const vendor = VENDOR_MARKERS.find(([re]) => re.test(head))?.[1];
  const captcha = CAPTCHA_WIDGET.test(head);
  const humanCheck = HUMAN_CHECK.test(text);

  if (status === 403) {
    const who =
      vendor ??
      (server.includes('akamai') ? 'Akamai' : server.includes('cloudflare') ? 'Cloudflare' : null) ??
      (header(probe.headers, 'x-datadome') ? 'DataDome' : null);
    return { blocked: true, reason: `HTTP 403 forbidden${who ? ` (${who})` : ''}` };
  }
  if (vendor && (thin || status >= 400)) return { blocked: true, reason: `${vendor} (HTTP ${status})` };
  if ((captcha || humanCheck) && (thin || status === 503)) {
    return { blocked: true, reason: `captcha / human verification page (HTTP ${status})` };
  }
  if (status === 503 && (vendor || captcha || humanCheck || JS_REQUIRED.test(text))) {
    return { blocked: true, reason: 'HTTP 503 with a challenge page' };
  }
  if (status < 400 && text.length < 400 && JS_REQUIRED.test(head.replace(/<[^>]+>/g, ' '))) {
    return { blocked: true, reason: `"enable JavaScript" shell without content (HTTP ${status})` };
  }
  return { blocked: false };
}
