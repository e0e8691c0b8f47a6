/**
 * `npm run bench`: runs every benchmark, prints its figures, writes them to bench/results/latest.json
 * and appends them (with date, Node version and CPU) to bench/results/history.jsonl for comparison over time.
 * Figures are ratios measured in one run where a target is stated (parse vs raw read), never timed unit tests.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { benchDashboard } from './dashboard.js';
import { benchPreflight } from './preflight.js';
import { benchTensorboardParse } from './tensorboard-parse.js';
import { benchTfjsOverhead } from './tfjs-overhead.js';
import { benchWatchAppend } from './watch-append.js';

type Bench = () => Promise<Record<string, number>>;

const benches: Record<string, Bench> = {
  dashboard: benchDashboard,
  preflight: benchPreflight,
  'tensorboard-parse': benchTensorboardParse,
  'tfjs-overhead': benchTfjsOverhead,
  'watch-append': benchWatchAppend,
};

const only = process.argv.slice(2);
const results: Record<string, Record<string, number>> = {};
for (const [name, bench] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`${name} ...\n`);
  const figures = await bench();
  results[name] = figures;
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`  ${k.padEnd(24)} ${Number.isInteger(v) ? v : v.toFixed(3)}\n`);
}
const entry = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, results };
const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
await writeFile(new URL('latest.json', dir), `${JSON.stringify(entry, null, 2)}\n`);
await appendFile(new URL('history.jsonl', dir), `${JSON.stringify(entry)}\n`);
process.stdout.write(`written to bench/results/latest.json and appended to bench/results/history.jsonl\n`);
