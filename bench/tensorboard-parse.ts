/**
 * Benchmark: TensorBoard event-file parse throughput against raw read throughput of the same file,
 * measured in the same run (so the ratio is meaningful across machines).
 * Run directly: `npx tsx bench/tensorboard-parse.ts`.
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventFileWriter } from '../src/formats/tensorboard/index.js';
import { tensorboardReader } from '../src/formats/tensorboard/index.js';
import { createRun, runSink } from '../src/telemetry/run.js';

const STEPS = 300_000;
const SCALAR_TAGS = ['train/loss', 'train/accuracy', 'learning_rate', 'grad_norm'];
const HISTOGRAM_EVERY = 500;
const LAYERS = ['dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias'];
const MB = 1024 * 1024;

/** Writes the benchmark event file: 4 scalar tags per step plus layer histograms every 500 steps. */
function generate(dir: string): string {
  const w = createEventFileWriter(dir, { flushBytes: 4 * MB, hostname: 'bench' });
  const values = new Float32Array(2000);
  let seed = 1;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let step = 0; step < STEPS; step++) {
    const t = 1_700_000_000 + step * 0.05;
    w.scalar(SCALAR_TAGS[0] as string, step, 2.3 / (1 + step / 1000) + 0.01 * rand(), t);
    w.scalar(SCALAR_TAGS[1] as string, step, 1 - 0.9 / (1 + step / 1000), t);
    w.scalar(SCALAR_TAGS[2] as string, step, 1e-3 * 0.5 ** (step / 100_000), t);
    w.scalar(SCALAR_TAGS[3] as string, step, 1 + rand(), t);
    if (step % HISTOGRAM_EVERY === 0) {
      for (const layer of LAYERS) {
        for (let i = 0; i < values.length; i++) values[i] = (rand() - 0.5) * (1 + step / STEPS);
        w.histogram(layer, step, values, t);
      }
    }
  }
  w.close();
  return w.path;
}

async function rawRead(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(MB);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, MB, total);
      if (bytesRead === 0) return total;
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = process.hrtime.bigint();
  const value = await f();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/**
 * Generates a ~70 MB event file in a temp dir, then measures raw chunked read and full parse
 * (reader into a run sink) of it, best of 3 each.
 * @example
 * const { parseMBps, ratio } = await benchTensorboardParse();
 */
export async function benchTensorboardParse(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'nndoctor-bench-tb-'));
  try {
    const gen = await timed(async () => generate(dir));
    const path = gen.value;
    const bytes = (await stat(path)).size;
    await rawRead(path); // warm the page cache
    let raw = Infinity;
    let parse = Infinity;
    let records = 0;
    for (let i = 0; i < 3; i++) {
      raw = Math.min(raw, (await timed(() => rawRead(path))).seconds);
      const run = createRun('bench', 'tensorboard');
      const p = await timed(() => tensorboardReader.read(path, runSink(run), {}));
      if (p.value.problems.length > 0) throw new Error(`bench file has problems: ${p.value.problems[0]?.message}`);
      records = p.value.records;
      parse = Math.min(parse, p.seconds);
    }
    const fileMB = bytes / MB;
    return {
      fileMB,
      records,
      generateSeconds: gen.seconds,
      rawMBps: fileMB / raw,
      parseMBps: fileMB / parse,
      recordsPerSec: records / parse,
      ratio: raw / parse,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await benchTensorboardParse();
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(16)} ${Number.isInteger(v) ? v : v.toFixed(2)}\n`);
}
