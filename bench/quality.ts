/**
 * `npm run bench:quality [-- --corpus DIR] [-- --split tuning|test]`: diagnoses the labelled corpus
 * (`npm run corpus`) with `diagnosePaths`, scores it against `labels.json` (src/corpus/score.ts), prints
 * the tables for the tuning and test parts, and writes them to bench/results/quality.json. `--split`
 * scores and prints one part only (tuning while thresholds change), with the runs each check missed or
 * fired on wrongly, and writes nothing.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CorpusLabels } from '../src/corpus/labels.js';
import { formatQuality, scoreCorpus } from '../src/corpus/score.js';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';

const args = process.argv.slice(2);
const at = args.indexOf('--corpus');
const root = resolve(at >= 0 && args[at + 1] ? (args[at + 1] as string) : 'corpus');
const splitAt = args.indexOf('--split');
const split = splitAt >= 0 ? args[splitAt + 1] : undefined;
if (split !== undefined && split !== 'tuning' && split !== 'test') {
  process.stderr.write(`bench:quality: --split expects tuning or test, got ${split}\n`);
  process.exit(2);
}
const all = JSON.parse(readFileSync(resolve(root, 'labels.json'), 'utf8')) as CorpusLabels;
const labels: CorpusLabels = split ? { ...all, runs: all.runs.filter((r) => r.split === split) } : all;
process.stdout.write(`bench:quality: diagnosing ${labels.runs.length} labelled runs in ${root}\n`);
const started = performance.now();
const diagnosis = await diagnosePaths(split ? [...new Set(labels.runs.map((r) => resolve(root, r.dir)))] : [root]);
const report = scoreCorpus(labels, diagnosis);
process.stdout.write(formatQuality(split ? { splits: report.splits.filter((s) => s.split === split) } : report));
if (split) {
  // The runs behind the numbers, for whoever tunes a check on this part.
  for (const c of report.splits.find((x) => x.split === split)?.checks ?? []) {
    if (c.missed.length) process.stdout.write(`${c.check} missed: ${c.missed.join(', ')}\n`);
    if (c.falseAlarms.length) process.stdout.write(`${c.check} false alarms: ${c.falseAlarms.join(', ')}\n`);
  }
  process.exit(0);
}
const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
const entry = { date: new Date().toISOString(), corpus: root, generated: labels.generated, quick: labels.quick, seconds: (performance.now() - started) / 1000, ...report };
await writeFile(new URL('quality.json', dir), `${JSON.stringify(entry, null, 2)}\n`);
process.stdout.write('written to bench/results/quality.json\n');
