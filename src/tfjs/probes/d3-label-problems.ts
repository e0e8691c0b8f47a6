/**
 * D3 Label problems: targets that do not fit the loss or the output layer (one-hot vs sparse, labels
 * outside the output range, one-hot rows not summing to 1, binary targets outside [0, 1]) and the
 * class histogram (imbalance, classes that never occur).
 */
import type * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { chunkRowsFor, forEachRowChunk, namedTensors } from './batches.js';
import type { Probe, ProbeContext } from './probe.js';
import { deadline } from './probe-kit.js';
import type { LossFamily } from './targets.js';
import { lossFamily, outputUnits, readTargets } from './targets.js';
import { pct, round } from './tensor-stats.js';

/** Imbalance ratio (largest class / smallest class) for an info note / a warning. */
const IMBALANCE_INFO = 3;
const IMBALANCE_WARN = 10;
/** Tolerance on one-hot row sums (label smoothing still sums to 1). */
const ROW_SUM_TOLERANCE = 1e-3;
/** Classes listed in evidence histograms. */
const MAX_HISTOGRAM = 100;

interface ValueScan {
  rows: number;
  /** Rows with a value problem, and the first one. */
  badRows: number;
  firstBadRow: number;
  firstBadValue: number;
  min: number;
  max: number;
  nonInteger: number;
  badRowSums: number;
  firstBadSumRow: number;
  firstBadSum: number;
}

/** Scans target values against what `family` accepts with `units` outputs. */
function scanValues(t: tf.Tensor, family: LossFamily, units: number, encoding: 'index' | 'onehot' | 'binary'): ValueScan {
  const cols = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const s: ValueScan = { rows: 0, badRows: 0, firstBadRow: -1, firstBadValue: Number.NaN, min: Infinity, max: -Infinity, nonInteger: 0, badRowSums: 0, firstBadSumRow: -1, firstBadSum: Number.NaN };
  forEachRowChunk(t, chunkRowsFor(t), (values, start, rows) => {
    for (let r = 0; r < rows; r++) {
      let bad = false;
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c] as number;
        if (!Number.isFinite(v)) continue; // D1's business
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
        sum += v;
        let ok: boolean;
        if (encoding === 'index') {
          const integer = Number.isInteger(v);
          if (!integer) s.nonInteger++;
          ok = integer && v >= 0 && v < units;
        } else ok = v >= 0 && v <= 1;
        if (!ok && !bad) {
          bad = true;
          if (s.firstBadRow < 0) {
            s.firstBadRow = start + r;
            s.firstBadValue = v;
          }
        }
      }
      if (bad) s.badRows++;
      if (encoding === 'onehot' && family === 'categorical' && Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
        s.badRowSums++;
        if (s.firstBadSumRow < 0) {
          s.firstBadSumRow = start + r;
          s.firstBadSum = sum;
        }
      }
    }
    s.rows += rows;
  });
  return s;
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const loss = ctx.training.loss;
  const family = lossFamily(loss);
  if (family === 'regression' || family === 'other') return [];
  const units = outputUnits(ctx.model) ?? 1;
  const targets = namedTensors(ctx.data).filter((t) => t.role === 'target' && (t.name === 'y' || t.name === 'yVal' || t.name === 'yTest'));
  const y = targets.find((t) => t.name === 'y');
  if (!y) return [];
  const findings: Finding[] = [];
  const cols = y.tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  const classNames = ctx.data.classNames;
  const className = (k: number): string => (classNames?.[k] !== undefined ? `${k} (${classNames[k]})` : String(k));

  // 1. Encoding vs loss and output width.
  let encodingOk = true;
  const mismatch = (message: string, evidence: Record<string, number | string>, actions: string[]): void => {
    encodingOk = false;
    findings.push(
      makeFinding(d3LabelProblems, {
        severity: 'error',
        title: `${d3LabelProblems.title}: targets do not match the loss`,
        message,
        tags: ['y'],
        evidence: { loss, outputUnits: units, targetShape: JSON.stringify(y.tensor.shape), ...evidence },
        actions,
      }),
    );
  };
  if (family === 'sparse' && cols > 1) {
    mismatch(
      `${loss} expects one integer class index per example, but y has shape ${JSON.stringify(y.tensor.shape)} (${cols} columns: one-hot rows?). The loss reads only the first column, floored: the model trains on wrong labels.`,
      { expected: 'class indices [n] or [n, 1]', targetColumns: cols },
      ['use categoricalCrossentropy with one-hot targets', 'or pass class indices: y = tf.argMax(yOneHot, 1)'],
    );
  } else if (family === 'categorical' && cols === 1 && units > 1) {
    mismatch(
      `categoricalCrossentropy expects one-hot rows of width ${units}, but y has one column (class indices?). Broadcasting makes the loss meaningless.`,
      { expected: `one-hot [n, ${units}]`, targetColumns: cols },
      ['use sparseCategoricalCrossentropy with integer labels', `or one-hot encode: y = tf.oneHot(labels, ${units})`],
    );
  } else if (family === 'categorical' && cols !== units) {
    mismatch(
      `y rows have ${cols} columns but the model outputs ${units} classes.`,
      { expected: `one-hot [n, ${units}]`, targetColumns: cols },
      [`make the output layer ${cols} units wide, or one-hot encode with depth ${units}`],
    );
  } else if (family === 'binary' && cols !== units) {
    mismatch(
      `binaryCrossentropy compares y (${cols} column${cols === 1 ? '' : 's'}) with ${units} outputs element by element; the shapes differ.`,
      { expected: `[n, ${units}] in [0, 1]`, targetColumns: cols },
      units === 2 && cols === 1
        ? ['use one sigmoid output unit for a binary task', 'or use sparseCategoricalCrossentropy with a 2-unit softmax']
        : [`give the model ${cols} output units (one per label)`],
    );
  }

  // 2. Values within the output range, one-hot rows summing to 1.
  const encoding = family === 'sparse' ? 'index' : family === 'categorical' ? (cols === 1 ? 'index' : 'onehot') : 'binary';
  if (encodingOk) {
    for (const t of targets) {
      if (clock.over()) break;
      const s = scanValues(t.tensor, family, units, encoding);
      if (s.badRows > 0) {
        const range = encoding === 'index' ? `integer class indices in [0, ${units - 1}]` : 'values in [0, 1]';
        findings.push(
          makeFinding(d3LabelProblems, {
            severity: 'error',
            title: `${d3LabelProblems.title}: labels outside the output range`,
            message:
              `${s.badRows} of ${s.rows} rows of ${t.name} (${pct(s.badRows / s.rows)}) hold targets outside ${range} (seen min ${round(s.min)}, max ${round(s.max)}; first: row ${s.firstBadRow} = ${round(s.firstBadValue)}` +
              `${s.nonInteger > 0 ? `; ${s.nonInteger} non-integer` : ''}). ` +
              (encoding === 'index' ? 'Out-of-range indices one-hot to all-zero rows: those examples contribute no gradient or garbage.' : 'Cross-entropy is not defined there; the loss can go negative.'),
            tags: [t.name],
            evidence: { tensor: t.name, loss, outputUnits: units, rowsOutOfRange: s.badRows, rows: s.rows, min: round(s.min), max: round(s.max), nonInteger: s.nonInteger, firstRow: s.firstBadRow, firstValue: round(s.firstBadValue) },
            actions:
              encoding === 'index'
                ? [`map labels to 0..${units - 1} (e.g. 1-based labels: subtract 1)`, `or widen the output layer to ${Math.max(units, Math.floor(s.max) + 1)} units`]
                : ['map binary targets to {0, 1} (e.g. {-1, 1} -> (y + 1) / 2)', 'use a hinge loss if the targets are meant to be +-1'],
          }),
        );
      }
      if (s.badRowSums > 0) {
        findings.push(
          makeFinding(d3LabelProblems, {
            severity: 'error',
            title: `${d3LabelProblems.title}: one-hot rows do not sum to 1`,
            message: `${s.badRowSums} of ${s.rows} rows of ${t.name} do not sum to 1 (first: row ${s.firstBadSumRow} sums to ${round(s.firstBadSum)}): multi-hot or empty rows are not a categorical distribution.`,
            tags: [t.name],
            evidence: { tensor: t.name, rowsNotSummingTo1: s.badRowSums, rows: s.rows, firstRow: s.firstBadSumRow, firstRowSum: round(s.firstBadSum), tolerance: ROW_SUM_TOLERANCE },
            actions: ['for several labels per example use sigmoid outputs with binaryCrossentropy', 'drop or fix rows without a label'],
          }),
        );
      }
    }
  }

  // 3. Class histogram of the training targets.
  const view = readTargets(y.tensor, family, units, clock);
  if (view.kind === 'classes' && encodingOk) {
    const counts = view.counts;
    const present = counts.filter((c) => c > 0);
    const missing = counts.map((c, k) => (c === 0 ? k : -1)).filter((k) => k >= 0);
    const maxC = Math.max(...present);
    const minC = Math.min(...present);
    const ratio = maxC / Math.max(1, minC);
    const rarest = counts.indexOf(minC);
    const commonest = counts.indexOf(maxC);
    const evidence = {
      classes: view.numClasses,
      classesPresent: present.length,
      missingClasses: missing.slice(0, MAX_HISTOGRAM).join(', '),
      histogram: counts.slice(0, MAX_HISTOGRAM),
      imbalanceRatio: round(ratio),
      commonestClass: commonest,
      rarestClass: rarest,
      imbalanceInfo: IMBALANCE_INFO,
      imbalanceWarn: IMBALANCE_WARN,
    };
    if (missing.length > 0 && (family !== 'binary' || present.length < 2)) {
      findings.push(
        makeFinding(d3LabelProblems, {
          severity: 'warning',
          title: `${d3LabelProblems.title}: classes never seen`,
          message: `${missing.length} of ${view.numClasses} output classes never occur in the training targets (${missing.slice(0, 10).map(className).join(', ')}${missing.length > 10 ? ', ...' : ''}): the model cannot learn them.`,
          tags: ['y'],
          evidence,
          actions: ['check the label mapping (an off-by-one or a filtered class)', 'remove unused output units, or collect examples of the missing classes'],
        }),
      );
    }
    if (ratio > IMBALANCE_INFO) {
      const severity = ratio > IMBALANCE_WARN ? 'warning' : 'info';
      findings.push(
        makeFinding(d3LabelProblems, {
          severity,
          title: `${d3LabelProblems.title}: class imbalance`,
          message: `The commonest class, ${className(commonest)}, has ${maxC} examples; the rarest, ${className(rarest)}, has ${minC}: imbalance ratio ${round(ratio, 3)} (${severity} above ${severity === 'warning' ? IMBALANCE_WARN : IMBALANCE_INFO}). Accuracy will flatter a model that ignores rare classes.`,
          tags: ['y'],
          evidence,
          actions: [
            'report per-class recall / F1 or balanced accuracy, not only accuracy',
            'weight the loss by inverse class frequency (classWeight in fit) or oversample rare classes',
            'initialise the output bias to the log class prior (see M4)',
          ],
        }),
      );
    }
    // Classes in val/test that training never shows.
    for (const t of targets.filter((t) => t.name !== 'y')) {
      const v = readTargets(t.tensor, family, units, clock);
      if (v.kind !== 'classes') continue;
      const unseen = v.counts.map((c, k) => (c > 0 && (counts[k] ?? 0) === 0 ? k : -1)).filter((k) => k >= 0);
      if (unseen.length === 0) continue;
      findings.push(
        makeFinding(d3LabelProblems, {
          severity: 'warning',
          title: `${d3LabelProblems.title}: ${t.name} has classes train lacks`,
          message: `${t.name} contains class${unseen.length === 1 ? '' : 'es'} ${unseen.slice(0, 10).map(className).join(', ')} that never occur in training: those examples are always wrong.`,
          tags: [t.name, 'y'],
          evidence: { tensor: t.name, unseenClasses: unseen.slice(0, MAX_HISTOGRAM).join(', '), histogram: v.counts.slice(0, MAX_HISTOGRAM) },
          actions: ['split with stratification by class so every split holds every class'],
        }),
      );
    }
  } else if (view.kind === 'values' && family === 'binary' && encodingOk) {
    // Multi-label: per-unit positive rate.
    const pos = new Array<number>(view.cols).fill(0);
    for (let r = 0; r < view.rows; r++) for (let c = 0; c < view.cols; c++) if ((view.values[r * view.cols + c] as number) >= 0.5) pos[c] = (pos[c] as number) + 1;
    const never = pos.map((p, c) => (p === 0 || p === view.rows ? c : -1)).filter((c) => c >= 0);
    if (never.length > 0) {
      findings.push(
        makeFinding(d3LabelProblems, {
          severity: 'warning',
          title: `${d3LabelProblems.title}: constant labels`,
          message: `${never.length} of ${view.cols} binary labels are constant over the training set (label ${never.slice(0, 10).join(', ')}): nothing to learn for them.`,
          tags: ['y'],
          evidence: { constantLabels: never.join(', '), positives: pos.slice(0, MAX_HISTOGRAM), rows: view.rows },
          actions: ['drop constant label columns, or check the label pipeline'],
        }),
      );
    }
  }
  return findings;
}

/**
 * D3 Label problems, for classification losses: error when the target encoding does not match the
 * loss (one-hot with sparse CE, indices with categorical CE, width != output units), when labels
 * fall outside the output range or one-hot rows do not sum to 1; warning for classes that never occur
 * (or occur only in val/test) and for imbalance ratios > 10 (info > 3), with the class histogram.
 * @example
 * const findings = await d3LabelProblems.run(ctx);
 * findings.find((f) => f.evidence.histogram)?.evidence.imbalanceRatio
 */
export const d3LabelProblems: Probe = {
  id: 'D3',
  title: 'Label problems',
  severity: 'error',
  kind: 'probe',
  description: 'Checks targets against the loss and output layer (one-hot vs sparse, range, row sums) and reports the class histogram and imbalance.',
  budgetMs: 10_000,
  run,
};
