/**
 * `npm run bench:quality`: the diagnosis-quality tables.
 * 1. The hand-labelled real runs (`../shared/data/real-labelled`, or `--real DIR`): scored on the
 *    whole set, the tuning part and the holdout part (split by source repository), per check and per
 *    format family (bench/real-set/).
 * 2. The synthetic TF.js corpus (`npm run corpus`; `--corpus DIR`), when it has been generated:
 *    tuning and test parts (src/corpus/score.ts).
 * Both go to bench/results/quality.json. Options for tuning work (they print, and write nothing):
 * `--part tuning|holdout` prints one part of the real set with the runs behind every miss, false
 * alarm and finding no label calls for; `--split tuning|test` does the same for the synthetic corpus.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CorpusLabels } from '../src/corpus/labels.js';
import { formatQuality, scoreCorpus } from '../src/corpus/score.js';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import type { RealPart } from './real-set/labels.js';
import type { RealSetResult } from './real-set/run.js';
import { REAL_SET, scoreRealLogs } from './real-set/run.js';
import { formatRealMisses, formatRealScore } from './real-set/score.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const fail = (message: string): never => {
  process.stderr.write(`bench:quality: ${message}\n`);
  process.exit(2);
};
const partArg = option('--part');
if (partArg !== undefined && partArg !== 'tuning' && partArg !== 'holdout') fail(`--part expects tuning or holdout, got ${partArg}`);
const part = partArg as RealPart | undefined;
const split = option('--split');
if (split !== undefined && split !== 'tuning' && split !== 'test') fail(`--split expects tuning or test, got ${split}`);

let realResult: RealSetResult | null = null;
if (split === undefined) {
  const real = await scoreRealLogs(resolve(option('--real') ?? REAL_SET));
  if (real === null) process.stdout.write(`bench:quality: no labelled real set at ${option('--real') ?? REAL_SET}; skipped\n`);
  else if (part !== undefined) {
    const score = real.parts[part];
    process.stdout.write(formatRealScore(`real logs, ${part} part (${real.repositories[part].length} repositories)`, score));
    process.stdout.write(`\n${formatRealMisses(score)}`);
    process.exit(0);
  } else {
    process.stdout.write(`## Real logs (${real.root}), hand-labelled\n\n`);
    process.stdout.write(formatRealScore('whole set', real.all));
    process.stdout.write(`\n${formatRealScore(`holdout part (${real.repositories.holdout.length} repositories)`, real.parts.holdout)}`);
    process.stdout.write(`\n${formatRealScore(`tuning part (${real.repositories.tuning.length} repositories)`, real.parts.tuning)}`);
    process.stdout.write(`\nRuns behind the misses, false alarms and findings no label calls for (whole set):\n${formatRealMisses(real.all)}\n`);
  }
  realResult = real;
}

const root = resolve(option('--corpus') ?? 'corpus');
let synthetic: object | null = null;
if (!existsSync(resolve(root, 'labels.json'))) {
  process.stdout.write(`## Synthetic TF.js corpus\n\nbench:quality: no corpus at ${root} (npm run corpus generates it); skipped\n`);
} else {
  const all = JSON.parse(readFileSync(resolve(root, 'labels.json'), 'utf8')) as CorpusLabels;
  const labels: CorpusLabels = split ? { ...all, runs: all.runs.filter((r) => r.split === split) } : all;
  process.stdout.write(`## Synthetic TF.js corpus: ${labels.runs.length} labelled runs in ${root}\n\n`);
  const started = performance.now();
  const diagnosis = await diagnosePaths(split ? [...new Set(labels.runs.map((r) => resolve(root, r.dir)))] : [root]);
  const report = scoreCorpus(labels, diagnosis);
  process.stdout.write(formatQuality(split ? { splits: report.splits.filter((s) => s.split === split) } : report));
  if (split) {
    for (const c of report.splits.find((x) => x.split === split)?.checks ?? []) {
      if (c.missed.length) process.stdout.write(`${c.check} missed: ${c.missed.join(', ')}\n`);
      if (c.falseAlarms.length) process.stdout.write(`${c.check} false alarms: ${c.falseAlarms.join(', ')}\n`);
    }
    process.exit(0);
  }
  synthetic = { corpus: root, generated: labels.generated, quick: labels.quick, seconds: (performance.now() - started) / 1000, ...report };
}

const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
const entry = { date: new Date().toISOString(), real: realResult, synthetic };
await writeFile(new URL('quality.json', dir), `${JSON.stringify(entry, null, 2)}\n`);
process.stdout.write('written to bench/results/quality.json\n');
