/**
 * One CSV line to cells, and one cell to a number. CSV loggers (Lightning, Keras) write one record
 * per line, quoting a cell only when it contains a comma or a quote (Python `csv` module rules).
 */

/**
 * Splits one CSV line into cells. Quoted cells may contain the delimiter and doubled quotes (`""`).
 * An unterminated quote runs to the end of the line (lenient: the caller sees the cell count).
 * `delimiter` is one character (default `,`; `\t` and `;` for other CSV dialects).
 * @example
 * parseCsvLine('0,49,,0.89') // ['0', '49', '', '0.89']
 * parseCsvLine('"a,b",c')    // ['a,b', 'c']
 * parseCsvLine('0\t0.5', '\t') // ['0', '0.5']
 */
export function parseCsvLine(line: string, delimiter = ','): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22 /* " */) {
      let cell = '';
      i += 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) {
          cell += line.slice(i);
          i = line.length;
          break;
        }
        cell += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const comma = line.indexOf(delimiter, i);
      // Text between the closing quote and the next comma is kept, as Python's csv module does.
      cell += comma === -1 ? line.slice(i) : line.slice(i, comma);
      cells.push(cell);
      if (comma === -1) return cells;
      i = comma + 1;
    } else {
      const comma = line.indexOf(delimiter, i);
      if (comma === -1) {
        cells.push(line.slice(i));
        return cells;
      }
      cells.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE: ReadonlyMap<string, number> = new Map([
  ['nan', NaN], ['+nan', NaN], ['-nan', NaN],
  ['inf', Infinity], ['+inf', Infinity], ['infinity', Infinity], ['+infinity', Infinity],
  ['-inf', -Infinity], ['-infinity', -Infinity],
]);

/**
 * Parses a numeric cell as Python writes floats: decimal or exponent notation, `nan`, `inf`,
 * `-inf` (any case, also `NaN`/`Infinity`). Returns `undefined` for anything else (including empty).
 * @example
 * parseNumberCell('0.8924') // 0.8924
 * parseNumberCell('nan')    // NaN
 * parseNumberCell('-inf')   // -Infinity
 * parseNumberCell('[1 2]')  // undefined
 */
export function parseNumberCell(cell: string): number | undefined {
  const t = cell.trim();
  if (DECIMAL.test(t)) return Number(t);
  return NON_FINITE.get(t.toLowerCase());
}

/**
 * Whether a cell means "not logged in this row": empty, or Keras' `NA` placeholder.
 * @example
 * isMissingCell('') // true
 * isMissingCell('NA') // true
 */
export function isMissingCell(cell: string): boolean {
  const t = cell.trim();
  return t === '' || t === 'NA';
}
