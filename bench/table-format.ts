/** Pads every column to its widest cell: the first left-aligned, the others right-aligned unless `align` is 'left'. */
export function alignColumns(rows: string[][], align: 'right' | 'left' = 'right'): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 || align === 'left' ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('   ')
      .trimEnd(),
  );
}

export function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

export function ms(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ms`;
}

export function ratio(numerator: number, denominator: number): string {
  return Number.isFinite(numerator / denominator) ? `${(numerator / denominator).toFixed(2)}x` : 'n/a';
}

export function seconds(valueMs: number): string {
  const total = Math.round(valueMs / 1000);
  return total >= 60 ? `${Math.floor(total / 60)} min ${total % 60} s` : `${(valueMs / 1000).toFixed(1)} s`;
}
