/**
 * `npm run bench:quality [-- --corpus DIR]`: diagnoses the labelled corpus (`npm run corpus`) with
 * `diagnosePaths`, scores it against `labels.json` (src/corpus/score.ts), prints the tables for the
 * tuning and test parts, and writes them to bench/results/quality.json.
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
const labels = JSON.parse(readFileSync(resolve(root, 'labels.json'), 'utf8')) as CorpusLabels;
process.stdout.write(`bench:quality: diagnosing ${labels.runs.length} labelled runs in ${root}\n`);
const started = performance.now();
const diagnosis = await diagnosePaths([root]);
const report = scoreCorpus(labels, diagnosis);
process.stdout.write(formatQuality(report));
const dir = new URL('./results/', import.meta.url);
await mkdir(dir, { recursive: true });
const entry = { date: new Date().toISOString(), corpus: root, generated: labels.generated, quick: labels.quick, seconds: (performance.now() - started) / 1000, ...report };
await writeFile(new URL('quality.json', dir), `${JSON.stringify(entry, null, 2)}\n`);
process.stdout.write('written to bench/results/quality.json\n');
