/** Columns padded to their widest cell, two spaces apart: the CLI's human-readable output. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (cell ?? '').padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

/** A time for a table cell: ISO without milliseconds, or '-'. */
export function formatTime(time: Date | undefined): string {
  return time === undefined ? '-' : time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A duration for a table cell: 850ms, 12.3s, 4m10s, 3h05m. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1_000)).padStart(2, '0')}s`;
  return `${Math.floor(ms / 3_600_000)}h${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}m`;
}
