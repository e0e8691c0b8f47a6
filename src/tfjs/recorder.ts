/**
 * Where the doctor's telemetry goes: an in-memory {@link Run} (what the live checks read; series are
 * thinned beyond a size bound) and, when a log directory is given, a TensorBoard event file that
 * TensorBoard, `nndoctor diagnose` and the dashboard read. The writer is Node-only, so it is loaded
 * lazily: events recorded before it is open are buffered and written when it is.
 */
import { histogramFromValues } from '../formats/tensorboard/bins.js';
import type { EventFileWriter } from '../formats/tensorboard/writer.js';
import type { Run, TelemetrySink } from '../telemetry/run.js';
import { createRun, runSink } from '../telemetry/run.js';
import type { Histogram, StepUnit } from '../telemetry/series.js';

/** Histograms kept in memory per tag before older ones are thinned out. */
const MAX_HISTOGRAMS = 500;

type Pending = { kind: 'scalar'; tag: string; step: number; value: number; wall: number } | { kind: 'histogram'; tag: string; step: number; h: Histogram; wall: number };

/**
 * Records scalars and histograms into memory and (optionally) an event file.
 * @example
 * const rec = new Recorder('runs/a', 'runs/a', 20000);
 * rec.scalar('loss', 0, 2.3);
 * await rec.close();
 */
export class Recorder {
  readonly run: Run;
  readonly #sink: TelemetrySink;
  readonly #maxPoints: number;
  #writer: EventFileWriter | null = null;
  #pending: Pending[] | null = null;
  #opening: Promise<void> | null = null;
  #error: unknown = null;

  constructor(runId: string, logDir: string | null, maxPoints: number) {
    this.run = createRun(runId, 'tfjs');
    this.#sink = runSink(this.run);
    this.#maxPoints = Math.max(100, maxPoints);
    if (logDir !== null) {
      this.#pending = [];
      this.#opening = import('../formats/tensorboard/writer.js')
        .then(({ createEventFileWriter }) => {
          this.#writer = createEventFileWriter(logDir);
          this.run.files.push(this.#writer.path);
          for (const e of this.#pending ?? []) this.#write(e);
          this.#pending = null;
        })
        .catch((cause: unknown) => {
          this.#error = cause;
          this.#pending = null;
        });
    }
  }

  /** Records a scalar at `step` (unit `epoch` for `epoch_*` tags, as the TensorBoard reader reads them back). */
  scalar(tag: string, step: number, value: number, unit: StepUnit = tag.startsWith('epoch_') ? 'epoch' : 'step'): void {
    const wall = Date.now() / 1000;
    this.#sink.scalar(tag, step, value, wall, unit);
    const s = this.run.scalars.get(tag);
    if (s && s.values.length > this.#maxPoints) thin(s.steps, s.values, s.wallTimes);
    this.#emit({ kind: 'scalar', tag, step, value, wall });
  }

  /** Records a histogram of `values` (non-finite values left out), scaled to stand for `represents` elements. */
  histogram(tag: string, step: number, values: ArrayLike<number>, represents = values.length): Histogram {
    const h = scaleHistogram(histogramFromValues(values), represents / Math.max(1, values.length));
    const wall = Date.now() / 1000;
    this.#sink.histogram(tag, step, h, wall);
    const s = this.run.histograms.get(tag);
    if (s && s.histograms.length > MAX_HISTOGRAMS) thin(s.steps, s.histograms, s.wallTimes);
    this.#emit({ kind: 'histogram', tag, step, h, wall });
    return h;
  }

  /** Writes buffered events to disk (no-op in memory-only mode). */
  flush(): void {
    this.#writer?.flush();
  }

  /** Waits for the event file to open, then flushes and closes it; rethrows an error opening it. */
  async close(): Promise<void> {
    await this.#opening;
    this.#writer?.close();
    if (this.#error) throw this.#error;
  }

  #emit(e: Pending): void {
    if (this.#pending) this.#pending.push(e);
    else this.#write(e);
  }

  #write(e: Pending): void {
    if (!this.#writer) return;
    if (e.kind === 'scalar') this.#writer.scalar(e.tag, e.step, e.value, e.wall);
    else this.#writer.histogram(e.tag, e.step, e.h, e.wall);
  }
}

/** Drops every second point (keeping the first and the last) from parallel arrays, in place. */
function thin<T>(steps: number[], values: T[], walls: number[]): void {
  const keep = (_: unknown, i: number, a: readonly unknown[]): boolean => i % 2 === 0 || i === a.length - 1;
  const s = steps.filter(keep);
  const v = values.filter(keep);
  const w = walls.filter(keep);
  steps.splice(0, steps.length, ...s);
  values.splice(0, values.length, ...v);
  walls.splice(0, walls.length, ...w);
}

function scaleHistogram(h: Histogram, k: number): Histogram {
  if (k === 1) return h;
  return { ...h, num: h.num * k, sum: h.sum * k, sumSquares: h.sumSquares * k, bucketCounts: h.bucketCounts.map((c) => c * k) };
}
