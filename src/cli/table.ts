/** Plain-text tables and numbers for command output (no colour: output is often piped). */

type Align = 'left' | 'right';

interface Column {
  readonly title: string;
  readonly align?: Align;
}

/** Columns padded to their widest cell, separated by two spaces, with a rule under the header. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((col, i) => Math.max(col.title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line)].join('\n');
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? INTEGER.format(n) : String(n);
}

/** A ratio as a percentage with one decimal: 0.4567 → "45.7 %". */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** A quantity with `digits` significant decimals, without exponent for everyday sizes. */
export function formatFixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** Counts too large to print in full (a design space's size): 3 significant digits. */
export function formatLarge(n: number): string {
  return n < 1e9 ? formatInt(n) : n.toExponential(2);
}

/** `used / available (pct)`, the way resource budgets read. */
export function formatBudget(used: number, available: number): string {
  return `${formatInt(used)} / ${formatInt(available)} (${formatPercent(used / available)})`;
}
