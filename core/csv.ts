// CSV text for downloads and `--out` files (runs, metrics, predictions, forecasts): RFC 4180
// quoting, empty cells for null/undefined. Pure, so the renderer may use it too.
const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
