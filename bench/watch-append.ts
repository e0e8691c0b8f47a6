/**
 * Benchmark: the cost of following one appended step with `watch` (append a step, one watcher tick:
 * stat, resumed read, bounded telemetry, all checks) as the run grows from 1k to 1M steps. The target
 * is a cost that does not grow with the history: `ratio1MTo1k` near 1. Measured for a JSON-lines log
 * and a TensorBoard event file (with per-layer histograms every 100 steps), with every check
 * (`msPerStepAt*`) and reading only (`ingestMsPerStepAt*`). The check part depends on how many points
 * the bounded series hold at that moment (`lossPointsAt*`: between 1024 and 2048 once a series is
 * full, less before), not on the history. Figures are mean CPU milliseconds of this process per
 * appended step (wall time on a busy shared machine says more about the neighbours than about watch).
 * Run directly: `npx tsx bench/watch-append.ts`.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checks } from '../src/checks/index.js';
import type { EventFileWriter } from '../src/formats/tensorboard/index.js';
import { createEventFileWriter } from '../src/formats/tensorboard/index.js';
import { Watcher } from '../src/watch/watcher.js';

const SIZES = [1_000, 10_000, 100_000, 1_000_000] as const;
const LABELS = ['1k', '10k', '100k', '1M'] as const;
/** Appended steps timed at each size. */
const TIMED = 40;
const LAYERS = ['dense_1/kernel', 'dense_2/kernel'];

/** CPU time (user + system) of this process between two readings, in ms: unaffected by other load on a shared machine. */
function cpuMs(from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number {
  return (to.user - from.user + (to.system - from.system)) / 1000;
}

const loss = (step: number): number => 2.3 / (1 + step / 5000) + 0.05 * Math.sin(step * 0.7) + 0.02 * Math.cos(step * 1.3);

/** A log that can be grown in bulk (untimed) and by one step (timed). */
interface GrowingLog {
  bulk(from: number, to: number): Promise<void>;
  one(step: number): Promise<void>;
  close(): void;
}

function jsonlLog(path: string): GrowingLog {
  const line = (step: number): string => {
    const rec: Record<string, number> = { step, 'train/loss': loss(step), lr: 1e-3 * 0.5 ** (step / 200_000) };
    if (step % 100 === 0) rec['val/loss'] = loss(step) * 1.1;
    return `${JSON.stringify(rec)}\n`;
  };
  return {
    async bulk(from, to) {
      for (let s = from; s < to; ) {
        const end = Math.min(to, s + 20_000);
        const lines: string[] = [];
        for (; s < end; s++) lines.push(line(s));
        await appendFile(path, lines.join(''));
      }
    },
    one: (step) => appendFile(path, line(step)),
    close: () => undefined,
  };
}

function tensorboardLog(dir: string): GrowingLog {
  const w: EventFileWriter = createEventFileWriter(dir, { flushBytes: 4 * 1024 * 1024, hostname: 'bench' });
  const values = new Float32Array(256);
  const write = (step: number): void => {
    const t = 1_700_000_000 + step * 0.05;
    w.scalar('train/loss', step, loss(step), t);
    w.scalar('learning_rate', step, 1e-3 * 0.5 ** (step / 200_000), t);
    if (step % 100 === 0) {
      w.scalar('val/loss', step, loss(step) * 1.1, t);
      for (const layer of LAYERS) {
        for (let i = 0; i < values.length; i++) values[i] = Math.sin(i * 12.9898 + step) * 0.1;
        w.histogram(`gradients/${layer}`, step, values, t);
      }
    }
  };
  return {
    async bulk(from, to) {
      for (let s = from; s < to; s++) write(s);
      w.flush();
    },
    async one(step) {
      write(step);
      w.flush();
    },
    close: () => w.close(),
  };
}

async function measure(name: string, make: (dir: string) => { log: GrowingLog; watchPath: string }): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), `nndoctor-bench-watch-${name}-`));
  const { log, watchPath } = make(dir);
  const common = { paths: [watchPath], rediscoverMs: Number.MAX_SAFE_INTEGER, stallAfterMs: Infinity, throttleChecks: false } as const;
  // The same file followed twice: with every check, and reading only (to show where the time goes).
  const full = new Watcher(common);
  const ingest = new Watcher({ ...common, checks: [] });
  const out: Record<string, number> = {};
  let step = 0;
  try {
    for (let i = 0; i < SIZES.length; i++) {
      const size = SIZES[i] as number;
      const label = LABELS[i] as string;
      await log.bulk(step, size - TIMED);
      step = size - TIMED;
      await full.tick(); // take in the bulk (not timed)
      await ingest.tick();
      let fullMs = 0;
      let ingestMs = 0;
      for (let k = 0; k < TIMED; k++) {
        const t0 = process.cpuUsage();
        await log.one(step++);
        await full.tick();
        const t1 = process.cpuUsage();
        await ingest.tick();
        fullMs += cpuMs(t0, t1);
        ingestMs += cpuMs(t1, process.cpuUsage());
      }
      out[`msPerStepAt${label}`] = fullMs / TIMED;
      out[`ingestMsPerStepAt${label}`] = ingestMs / TIMED;
      out[`lossPointsAt${label}`] = full.runs()[0]?.scalars.get('train/loss')?.values.length ?? 0;
    }
    out['ratio1MTo1k'] = (out['msPerStepAt1M'] as number) / (out['msPerStepAt1k'] as number);
    out['ratio1MTo10k'] = (out['msPerStepAt1M'] as number) / (out['msPerStepAt10k'] as number);
    out['ingestRatio1MTo1k'] = (out['ingestMsPerStepAt1M'] as number) / (out['ingestMsPerStepAt1k'] as number);
  } finally {
    log.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * Runs the benchmark and returns its figures (ms per appended step at each run length, per format).
 * @example
 * const figures = await benchWatchAppend(); // { jsonlMsPerStepAt1k: 0.9, ..., jsonlRatio1MTo1k: 1.02, ... }
 */
export async function benchWatchAppend(): Promise<Record<string, number>> {
  const figures: Record<string, number> = { checksRun: checks.length };
  const jsonl = await measure('jsonl', (dir) => ({ log: jsonlLog(join(dir, 'metrics.jsonl')), watchPath: dir }));
  for (const [k, v] of Object.entries(jsonl)) figures[`jsonl${k[0]?.toUpperCase()}${k.slice(1)}`] = v;
  const tb = await measure('tensorboard', (dir) => ({ log: tensorboardLog(dir), watchPath: dir }));
  for (const [k, v] of Object.entries(tb)) figures[`tensorboard${k[0]?.toUpperCase()}${k.slice(1)}`] = v;
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await benchWatchAppend();
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toFixed(3)}\n`);
}
