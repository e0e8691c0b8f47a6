/**
 * Exporters: a recorded run's loss and metric curves as Lightning `metrics.csv`, Keras `CSVLogger`
 * and nndoctor JSONL, so the corpus covers those readers too. Only scalars the doctor records per step
 * (`loss`, `acc`) and per epoch (`val_loss`, `val_acc`, `epoch_*`) are exported; per-layer telemetry
 * stays in the TensorBoard original.
 */
import type { Run } from '../telemetry/run.js';

/** `name -> (step -> value)` for the tags present in `run`. */
function table(run: Run, tags: readonly string[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const tag of tags) {
    const s = run.scalars.get(tag);
    if (!s) continue;
    const m = new Map<number, number>();
    s.steps.forEach((step, i) => m.set(step, s.values[i] as number));
    out.set(tag, m);
  }
  return out;
}

/** Python's spelling of a float (`nan`, `inf`), as the CSV loggers write it. */
const py = (x: number): string => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : String(x));

/** Epoch of every step, from the doctor's `epoch` series (step of the first batch -> epoch index). */
function epochOf(run: Run): (step: number) => number {
  const s = run.scalars.get('epoch');
  const starts = s ? s.steps.map((st, i) => [st, s.values[i] as number] as const).sort((a, b) => a[0] - b[0]) : [];
  return (step) => {
    let e = 0;
    for (const [st, ep] of starts) if (st <= step) e = ep;
    return e;
  };
}

/**
 * Lightning `CSVLogger` `metrics.csv`: a row per step with `train_loss`/`train_acc`, and a sparse row
 * with `val_loss`/`val_acc` at each epoch's last step.
 * @example
 * writeFileSync('run/metrics.csv', toLightningCsv(result.run));
 */
export function toLightningCsv(run: Run): string {
  const t = table(run, ['loss', 'acc', 'val_loss', 'val_acc']);
  const epoch = epochOf(run);
  const lines = ['epoch,step,train_loss,train_acc,val_loss,val_acc'];
  const steps = [...(t.get('loss')?.keys() ?? [])].sort((a, b) => a - b);
  for (const step of steps) {
    lines.push(`${epoch(step)},${step},${py(t.get('loss')?.get(step) ?? NaN)},${t.get('acc')?.has(step) ? py(t.get('acc')?.get(step) as number) : ''},,`);
    const vl = t.get('val_loss')?.get(step);
    if (vl !== undefined) lines.push(`${epoch(step)},${step},,,${py(vl)},${t.get('val_acc')?.has(step) ? py(t.get('val_acc')?.get(step) as number) : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Keras `CSVLogger` `training.log`: one row per epoch (`epoch,acc,loss,val_acc,val_loss`).
 * @example
 * writeFileSync('run/training.log', toKerasCsv(result.run));
 */
export function toKerasCsv(run: Run): string {
  const names = ['acc', 'loss', 'val_acc', 'val_loss'];
  const t = table(run, names.map((n) => `epoch_${n}`));
  const epochs = [...(t.get('epoch_loss')?.keys() ?? [])].sort((a, b) => a - b);
  const present = names.filter((n) => t.has(`epoch_${n}`));
  const lines = [['epoch', ...present].join(',')];
  for (const e of epochs) lines.push([String(e), ...present.map((n) => (t.get(`epoch_${n}`)?.has(e) ? py(t.get(`epoch_${n}`)?.get(e) as number) : 'NA'))].join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * nndoctor JSONL (`metrics.jsonl`): `{"step", "epoch", "train/loss", "train/acc"}` per step and
 * `{"step", "val/loss", "val/acc"}` at each epoch end; non-finite values as the bare `NaN`/`Infinity`.
 * @example
 * writeFileSync('run/metrics.jsonl', toJsonl(result.run));
 */
export function toJsonl(run: Run): string {
  const t = table(run, ['loss', 'acc', 'val_loss', 'val_acc']);
  const epoch = epochOf(run);
  const num = (x: number): string => (Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');
  const lines: string[] = [];
  const steps = [...(t.get('loss')?.keys() ?? [])].sort((a, b) => a - b);
  for (const step of steps) {
    const acc = t.get('acc')?.get(step);
    lines.push(`{"step": ${step}, "epoch": ${epoch(step)}, "train/loss": ${num(t.get('loss')?.get(step) ?? NaN)}${acc !== undefined ? `, "train/acc": ${num(acc)}` : ''}}`);
    const vl = t.get('val_loss')?.get(step);
    const va = t.get('val_acc')?.get(step);
    if (vl !== undefined) lines.push(`{"step": ${step}, "val/loss": ${num(vl)}${va !== undefined ? `, "val/acc": ${num(va)}` : ''}}`);
  }
  return `${lines.join('\n')}\n`;
}
