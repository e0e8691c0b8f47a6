/**
 * Writes TensorBoard event files (what PyTorch's `SummaryWriter` writes): a `brain.Event:2` version
 * event, then scalar (`simple_value`) and histogram (`HistogramProto`) events, framed as TFRecords.
 * Node `fs` only and synchronous, so it can be used from a training loop (TF.js in Node) and closed
 * from an exit handler.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDir } from '../make-dir.js';
import type { Histogram } from '../../telemetry/series.js';
import { histogramFromValues } from './bins.js';
import { encodeEvent } from './proto.js';
import { frameRecord } from './records.js';

/** Options for {@link createEventFileWriter}. */
export interface EventFileWriterOptions {
  /** Appended to the file name (TensorFlow's `filename_suffix`), e.g. `.v2`. */
  readonly filenameSuffix?: string;
  /** Buffered bytes that trigger a write to disk (default 256 KiB). */
  readonly flushBytes?: number;
  /** Seconds after which the next event triggers a write to disk (default 120, as PyTorch). */
  readonly flushSeconds?: number;
  /** Bucket limits for histograms given as raw values (default: TensorFlow's, see `defaultBucketLimits`). */
  readonly bucketLimits?: readonly number[];
  /** Host name in the file name (default `os.hostname()`). */
  readonly hostname?: string;
}

/** Per-process counter making file names unique, as TensorFlow's event writer does. */
let fileCounter = 0;

/**
 * An open event file. Create it with {@link createEventFileWriter}.
 * @example
 * const w = createEventFileWriter('runs/exp1');
 * w.scalar('train/loss', 0, 2.3);
 * w.close();
 */
export class EventFileWriter {
  /** Path of the event file being written. */
  readonly path: string;
  #fd: number | null;
  #chunks: Buffer[] = [];
  #pending = 0;
  #lastFlush = Date.now();
  readonly #flushBytes: number;
  readonly #flushMillis: number;
  readonly #bucketLimits: readonly number[] | undefined;

  /** Use {@link createEventFileWriter}. */
  constructor(path: string, fd: number, options: EventFileWriterOptions) {
    this.path = path;
    this.#fd = fd;
    this.#flushBytes = options.flushBytes ?? 256 * 1024;
    this.#flushMillis = (options.flushSeconds ?? 120) * 1000;
    this.#bucketLimits = options.bucketLimits;
  }

  /**
   * Adds a scalar (as `simple_value`, a float32 like every TensorBoard scalar writer).
   * `wallTime` is in seconds since the Unix epoch (default: now).
   * @example
   * w.scalar('epoch_loss', 3, 0.42);
   */
  scalar(tag: string, step: number, value: number, wallTime: number = Date.now() / 1000): void {
    this.#append({ wall_time: wallTime, step, summary: { value: [{ tag, simple_value: value }] } });
  }

  /**
   * Adds a histogram, from raw values (bucketed with the writer's bucket limits) or a ready
   * {@link Histogram}.
   * @example
   * w.histogram('weights/dense_1', 100, kernel.dataSync());
   */
  histogram(tag: string, step: number, values: ArrayLike<number> | Histogram, wallTime: number = Date.now() / 1000): void {
    const h = isHistogram(values) ? values : histogramFromValues(values, this.#bucketLimits);
    const histo = {
      min: h.min,
      max: h.max,
      num: h.num,
      sum: h.sum,
      sum_squares: h.sumSquares,
      bucket_limit: Array.from(h.bucketLimits),
      bucket: Array.from(h.bucketCounts),
    };
    this.#append({ wall_time: wallTime, step, summary: { value: [{ tag, histo }] } });
  }

  /**
   * Writes buffered events to disk. A no-op once closed.
   * @example
   * w.flush(); // TensorBoard (or `nndoctor watch`) now sees every event added so far
   */
  flush(): void {
    if (this.#fd === null || this.#pending === 0) return;
    const data = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#pending);
    this.#chunks = [];
    this.#pending = 0;
    let written = 0;
    while (written < data.length) written += writeSync(this.#fd, data, written, data.length - written);
    this.#lastFlush = Date.now();
  }

  /**
   * Flushes and closes the file. Further `scalar`/`histogram` calls throw; `close` again is a no-op.
   * @example
   * process.on('exit', () => w.close());
   */
  close(): void {
    if (this.#fd === null) return;
    this.flush();
    closeSync(this.#fd);
    this.#fd = null;
  }

  #append(event: Record<string, unknown>): void {
    if (this.#fd === null) throw new Error(`EventFileWriter: ${this.path} is closed`);
    const record = frameRecord(encodeEvent(event));
    this.#chunks.push(record);
    this.#pending += record.length;
    if (this.#pending >= this.#flushBytes || Date.now() - this.#lastFlush >= this.#flushMillis) this.flush();
  }
}

/**
 * Creates `dir` if needed and opens a new event file in it, named like TensorFlow's
 * (`events.out.tfevents.<unix seconds>.<hostname>.<pid>.<n>`), starting with the `brain.Event:2`
 * version event (written to disk at once, so readers see the file).
 * @example
 * const w = createEventFileWriter('runs/exp1');
 * for (let step = 0; step < 100; step++) w.scalar('train/loss', step, 1 / (step + 1));
 * w.histogram('weights/dense', 99, new Float32Array([0.1, -0.2, 0.05]));
 * w.close();
 */
export function createEventFileWriter(dir: string, options: EventFileWriterOptions = {}): EventFileWriter {
  makeDir(dir);
  const seconds = Math.floor(Date.now() / 1000);
  const host = options.hostname ?? hostname();
  for (;;) {
    const path = join(dir, `events.out.tfevents.${seconds}.${host}.${process.pid}.${fileCounter++}${options.filenameSuffix ?? ''}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw cause;
    }
    const writer = new EventFileWriter(path, fd, options);
    writeSync(fd, frameRecord(encodeEvent({ wall_time: Date.now() / 1000, step: 0, file_version: 'brain.Event:2' })));
    return writer;
  }
}

function isHistogram(values: ArrayLike<number> | Histogram): values is Histogram {
  return 'bucketLimits' in values && 'bucketCounts' in values;
}
