/**
 * D7 Show the batch: dumps exactly what enters `model(x)` for the first training batch, as stored —
 * an image grid PNG with the labels under each image, or a CSV table with the labels — so the user
 * can see the single source of truth; and warns when the batch looks wrong.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import type { ImageBatch } from './image-grid.js';
import { displayRange, renderImageGrid } from './image-grid.js';
import type { Probe, ProbeContext } from './probe.js';
import { asArray, deadline } from './probe-kit.js';
import { lossFamily, outputUnits, readTargets } from './targets.js';
import { meanStd, round } from './tensor-stats.js';

/** Most examples shown (images in the grid, rows in the table). */
const MAX_SHOWN = 64;
/** Most columns written per table row (wider rows are cut). */
const MAX_COLUMNS = 64;
/** Rows and columns of the markdown preview kept in evidence. */
const PREVIEW_ROWS = 5;
const PREVIEW_COLUMNS = 8;
/** Share of constant (blank) images in the batch for a warning. */
const CONSTANT_IMAGE_SHARE = 0.5;
/** Below this std an image counts as constant, relative to the batch's value span. */
const CONSTANT_REL_STD = 1e-6;

type Layout = { kind: 'image'; height: number; width: number; channels: number } | { kind: 'table'; columns: number };

function layoutOf(x: tf.Tensor, declared: string | undefined): Layout {
  const s = x.shape;
  const looksImage = (s.length === 4 && [1, 3, 4].includes(s[3] as number)) || (declared === 'image' && s.length === 3);
  if ((declared === 'image' || (declared === undefined && s.length === 4)) && looksImage) {
    return s.length === 4 ? { kind: 'image', height: s[1] as number, width: s[2] as number, channels: s[3] as number } : { kind: 'image', height: s[1] as number, width: s[2] as number, channels: 1 };
  }
  return { kind: 'table', columns: s.slice(1).reduce((a, b) => a * b, 1) };
}

const csvCell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const inputs = asArray(ctx.data.x);
  const x = inputs[0];
  const y = asArray(ctx.data.y)[0];
  if (!x) return [];
  const n = Math.min(x.shape[0] ?? 0, Math.max(1, ctx.training.batchSize), MAX_SHOWN);
  const batchRows = Math.min(x.shape[0] ?? 0, Math.max(1, ctx.training.batchSize));
  const layout = layoutOf(x, ctx.data.kind);
  const xb = tf.slice(x, 0, n);
  const values = Float32Array.from(xb.dataSync());
  xb.dispose();
  // Labels as text.
  const family = lossFamily(ctx.training.loss);
  let labels: string[] = [];
  let labelNames: string[] = [];
  let batchClasses: number | null = null;
  if (y) {
    const yb = tf.slice(y, 0, n);
    const view = readTargets(yb, family === 'other' ? 'regression' : family, outputUnits(ctx.model));
    yb.dispose();
    if (view.kind === 'classes') {
      labels = Array.from(view.labels, (l) => (l < 0 ? '?' : String(l)));
      labelNames = Array.from(view.labels, (l) => ctx.data.classNames?.[l] ?? String(l));
      batchClasses = new Set(view.labels).size;
    } else {
      const shown = Math.min(view.cols, 4);
      labels = Array.from({ length: view.rows }, (_, r) => String(round(view.values[r * view.cols] as number, 3)));
      labelNames = Array.from({ length: view.rows }, (_, r) =>
        Array.from({ length: shown }, (_c, c) => String(round(view.values[r * view.cols + c] as number, 4))).join(' ') + (view.cols > shown ? ' ...' : ''),
      );
    }
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const { mean, std } = meanStd(values);
  const rowLen = values.length / Math.max(1, n);
  // Rows identical to the first?
  let identical = n > 1;
  for (let r = 1; r < n && identical; r++) for (let i = 0; i < rowLen; i++) if (values[r * rowLen + i] !== values[i]) { identical = false; break; }
  const problems: string[] = [];
  const evidence: Record<string, number | string | boolean | null | readonly number[]> = {
    shown: n,
    batchSize: batchRows,
    inputShape: JSON.stringify(x.shape),
    layout: layout.kind,
    min: round(min),
    max: round(max),
    mean: round(mean),
    std: round(std),
    labels: labels.slice(0, MAX_SHOWN).join(' '),
    batchClasses,
    otherInputs: inputs.length > 1 ? inputs.slice(1).map((t) => JSON.stringify(t.shape)).join(' ') : null,
  };
  let artefact: string | null = null;
  let what: string;
  if (layout.kind === 'image') {
    const range = displayRange(min, max);
    const span = Number.isFinite(max - min) ? max - min : 0;
    let constant = 0;
    for (let i = 0; i < n; i++) {
      const s = meanStd(values.subarray(i * rowLen, (i + 1) * rowLen)).std;
      if (!(s > CONSTANT_REL_STD * Math.max(span, 1e-12))) constant++;
    }
    evidence.displayRange = range.name;
    evidence.constantImages = constant;
    evidence.constantImageShareThreshold = CONSTANT_IMAGE_SHARE;
    if (range.name === 'min-max') problems.push(`pixel values span [${round(min, 4)}, ${round(max, 4)}], outside the usual [0,1], [-1,1] and [0,255] ranges (double normalisation? wrong mean/std?)`);
    if (constant === n) problems.push(`all ${n} images are constant (blank): a decoding or loading bug`);
    else if (constant / n >= CONSTANT_IMAGE_SHARE) problems.push(`${constant} of ${n} images are constant (blank)`);
    what = `${n} image${n === 1 ? '' : 's'} ${layout.height}x${layout.width}x${layout.channels}, values in [${round(min, 4)}, ${round(max, 4)}] (shown as ${range.name})`;
    const batch: ImageBatch = { values, count: n, height: layout.height, width: layout.width, channels: layout.channels };
    if (ctx.artefacts && !clock.over()) {
      const grid = renderImageGrid(batch, labels, range);
      artefact = await ctx.artefacts.write('d7-batch.png', grid.png);
      evidence.gridColumns = grid.columns;
      evidence.gridRows = grid.rows;
      const legend = ['| # | grid row, col | label |', '|---|---|---|', ...labelNames.map((l, i) => `| ${i} | ${Math.floor(i / grid.columns)}, ${i % grid.columns} | ${l} |`)].join('\n');
      evidence.legendPath = await ctx.artefacts.write('d7-batch-labels.md', `# D7: first training batch\n\n${what}\n\n![batch](d7-batch.png)\n\n${legend}\n`);
    }
  } else {
    const cols = Math.min(layout.columns, MAX_COLUMNS);
    const names = Array.from({ length: cols }, (_, c) => (x.rank === 2 ? ctx.data.featureNames?.[c] : undefined) ?? `x${c}`);
    const header = [...names, ...(layout.columns > cols ? ['...'] : []), 'label'];
    const rows = Array.from({ length: n }, (_, r) => [...Array.from({ length: cols }, (_c, c) => String(round(values[r * rowLen + c] as number, 6))), ...(layout.columns > cols ? ['...'] : []), labelNames[r] ?? '']);
    const pc = Math.min(cols, PREVIEW_COLUMNS);
    const preview = [
      `| ${[...names.slice(0, pc), ...(cols > pc ? ['...'] : []), 'label'].join(' | ')} |`,
      `|${' --- |'.repeat(pc + (cols > pc ? 1 : 0) + 1)}`,
      ...rows.slice(0, PREVIEW_ROWS).map((r) => `| ${[...r.slice(0, pc), ...(cols > pc ? ['...'] : []), r[r.length - 1] ?? ''].join(' | ')} |`),
    ].join('\n');
    evidence.preview = preview;
    what = `${n} row${n === 1 ? '' : 's'} of ${layout.columns} value${layout.columns === 1 ? '' : 's'}${layout.columns > cols ? ` (first ${cols} written)` : ''}, values in [${round(min, 4)}, ${round(max, 4)}]`;
    if (ctx.artefacts && !clock.over()) {
      artefact = await ctx.artefacts.write('d7-batch.csv', [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n');
    }
  }
  if (identical) problems.push(`all ${n} examples of the batch are identical: the loader repeats one example`);
  if (std === 0 && n > 1 && !identical) problems.push('every input value in the batch is the same');
  evidence.artefact = artefact;
  const findings: Finding[] = [
    makeFinding(d7ShowBatch, {
      severity: 'info',
      message: `First training batch as the model receives it: ${what}; labels ${labels.slice(0, 16).join(' ')}${labels.length > 16 ? ' ...' : ''}. ${artefact ? `Written to ${artefact}` : 'No artefact sink: see the evidence preview'}. Look at it: is this what you meant to feed the model?`,
      evidence,
      actions: [
        artefact ? `open ${artefact} and check the inputs and labels by eye (orientation, colours, crops, label alignment)` : 'run with an artefact directory to get the image grid / CSV of the batch',
        'dump the batch right before model.fit/trainOnBatch, after every preprocessing and augmentation step',
      ],
    }),
  ];
  if (problems.length > 0) {
    findings.push(
      makeFinding(d7ShowBatch, {
        severity: 'warning',
        title: `${d7ShowBatch.title}: the batch looks wrong`,
        message: `The first training batch looks wrong: ${problems.join('; ')}.`,
        evidence: { ...evidence, problems: problems.length },
        actions: ['check the decoding and normalisation steps of the input pipeline', artefact ? `compare ${artefact} with the raw files` : 'render a few inputs and compare with the raw files'],
      }),
    );
  }
  return findings;
}

/**
 * D7 Show the batch: always an info finding describing the first training batch (shape, value range,
 * labels) with an artefact — `d7-batch.png` (image grid with labels, plus `d7-batch-labels.md`) for
 * image inputs, `d7-batch.csv` for tables — when an artefact sink is given, else a markdown preview in
 * evidence. Warning when the batch looks wrong: pixel values outside [0,1]/[-1,1]/[0,255], >= 50% blank
 * images, all examples identical.
 * @example
 * const [info] = await d7ShowBatch.run({ ...ctx, artefacts }); info.evidence.artefact // '.../d7-batch.png'
 */
export const d7ShowBatch: Probe = {
  id: 'D7',
  title: 'Show the batch',
  severity: 'warning',
  kind: 'probe',
  description: 'Writes the first training batch exactly as it enters the model (image grid PNG with labels, or CSV table) and warns when it looks wrong.',
  budgetMs: 5_000,
  run,
};
