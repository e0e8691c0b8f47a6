/**
 * D1 Non-finite inputs or targets: any NaN or +-Inf in the training, validation or test tensors.
 */
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { namedTensors } from './batches.js';
import type { Probe, ProbeContext } from './probe.js';
import { deadline } from './probe-kit.js';
import { nonFiniteScan, offsetToIndex, pct, round } from './tensor-stats.js';

/** Non-finite values tolerated (none: one NaN in a batch makes that step's loss NaN). */
const MAX_NON_FINITE = 0;

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const findings: Finding[] = [];
  let cutShort: { name: string; rowsRead: number; rows: number } | null = null;
  let scanned = 0;
  const tensors = namedTensors(ctx.data);
  for (const [i, { name, split, role, tensor }] of tensors.entries()) {
    if (clock.over()) {
      cutShort = { name, rowsRead: 0, rows: tensor.shape[0] ?? 1 };
      break;
    }
    const scan = nonFiniteScan(tensor, clock);
    ctx.progress?.((i + 1) / tensors.length);
    scanned++;
    const rows = tensor.shape[0] ?? 1;
    if (scan.rowsRead < rows) cutShort = { name, rowsRead: scan.rowsRead, rows };
    const count = scan.nan + scan.inf;
    if (count > MAX_NON_FINITE) {
      const where = `${name}[${scan.firstRow}]${tensor.rank > 1 ? offsetToIndex(scan.firstOffset, tensor.shape.slice(1)) : ''}`;
      const severity = split === 'train' ? 'error' : 'warning';
      findings.push(
        makeFinding(d1NonFiniteData, {
          severity,
          message:
            `${name} (${split} ${role}s) holds ${count} non-finite value${count === 1 ? '' : 's'} (${scan.nan} NaN, ${scan.inf} Inf) in ${scan.badRows} of ${scan.rowsRead} rows ` +
            `(${pct(scan.badRows / Math.max(1, scan.rowsRead))}); first at ${where}. ` +
            (split === 'train' ? 'Any batch containing one gets a NaN loss and NaN gradients.' : `${split} metrics will be NaN.`),
          tags: [name],
          evidence: {
            tensor: name,
            split,
            role,
            nan: scan.nan,
            inf: scan.inf,
            nonFinite: count,
            rowsWithNonFinite: scan.badRows,
            rowsScanned: scan.rowsRead,
            rows,
            firstRow: scan.firstRow,
            firstIndex: where,
            threshold: MAX_NON_FINITE,
            shareOfRows: round(scan.badRows / Math.max(1, scan.rowsRead)),
          },
          actions: [
            `inspect ${where} and the raw record it came from (missing values, division by zero, log of 0 in preprocessing)`,
            'impute or drop the rows with missing values before building tensors',
            role === 'input' ? 'assert tf.isNaN(x).any() is false after preprocessing' : 'check the label pipeline: unparsed or missing labels often become NaN',
          ],
        }),
      );
    }
    if (cutShort) break;
  }
  if (cutShort) {
    findings.push(
      makeFinding(d1NonFiniteData, {
        severity: 'info',
        title: `${d1NonFiniteData.title}: scan cut short`,
        message: `The time budget ran out after ${cutShort.rowsRead} of ${cutShort.rows} rows of ${cutShort.name}; ${scanned} of ${tensors.length} tensors scanned. Unscanned rows may still hold NaN/Inf.`,
        tags: [cutShort.name],
        evidence: { cutShort: true, tensor: cutShort.name, rowsScanned: cutShort.rowsRead, rows: cutShort.rows, tensorsScanned: scanned, tensors: tensors.length, budgetMs: ctx.budgetMs },
        actions: ['raise the D1 budget to scan every row'],
      }),
    );
  }
  return findings;
}

/**
 * D1 Non-finite inputs or targets: scans every tensor of the data (train, val, test; inputs and
 * targets) for NaN and +-Inf, chunk by chunk within the budget. Error for training tensors, warning
 * for validation/test; says which tensor, how many values and rows, and the first index.
 * @example
 * const findings = await d1NonFiniteData.run(ctx);
 * findings[0]?.evidence.firstIndex // 'x[17][3]'
 */
export const d1NonFiniteData: Probe = {
  id: 'D1',
  title: 'Non-finite inputs or targets',
  severity: 'error',
  kind: 'probe',
  description: 'Scans every input and target tensor (train, val, test) for NaN and Inf; reports the tensor, counts and the first index.',
  budgetMs: 10_000,
  run,
};
