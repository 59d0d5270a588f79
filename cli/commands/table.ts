// Plain-text tables for the API client commands: columns padded to their widest cell, and a two-column
// field/value view of nested status snapshots (`coverages[0].outcome  active`).

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** Flattens a JSON value into (path, value) rows, arrays by index, in the value's own key order. */
export function flatten(value: unknown, at = ''): [string, string][] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[at, '(none)']];
    return value.flatMap((v, i) => flatten(v, `${at}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [[at, '(none)']];
    return entries.flatMap(([k, v]) => flatten(v, at ? `${at}.${k}` : k));
  }
  return [[at, value === null ? '-' : String(value)]];
}

export function renderFields(value: unknown): string {
  return renderTable(['FIELD', 'VALUE'], flatten(value));
}
