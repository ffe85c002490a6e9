/**
 * Rows to RFC 4180 CSV. Crawled text is hostile: a cell starting with = + - @ (or tab/CR) is prefixed with a
 * quote so spreadsheets never run it as a formula.
 */
export function toCsv<R extends object>(rows: R[], columns: (keyof R & string)[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell((r as Record<string, unknown>)[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** True when the client asked for CSV (Accept: text/csv or ?format=csv). */
export function wantsCsv(accept: string | undefined, format: string | undefined): boolean {
  return format === 'csv' || /\btext\/csv\b/.test(accept ?? '');
}
