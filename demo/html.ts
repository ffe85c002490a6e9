/** A response the demo servers send: status, headers and body. */
export interface DemoResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Serialises JSON for an inline `<script>` so no string can close the element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Builds a UTF-8 HTML response. */
export function htmlResponse(body: string, status = 200): DemoResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/** Builds a JSON response. */
export function jsonResponse(value: unknown, status = 200): DemoResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

/** Builds an XML response (sitemaps, RSS). */
export function xmlResponse(body: string, contentType = 'application/xml; charset=utf-8'): DemoResponse {
  return { status: 200, headers: { 'content-type': contentType }, body };
}
