/**
 * `npm run corpus [-- --out DIR] [-- --quick] [-- --split tuning|test] [-- --resume] [-- --relabel]`: trains the
 * labelled fault corpus (docs/quality.md) into `corpus/` at the repo root (or DIR), one progress line
 * per run. `--resume` trains only the runs labels.json does not hold yet (after an interruption, or
 * runs added to the plan). `--relabel` re-derives labels.json from the existing log directories (after
 * a labeller change) without training.
 */
import { resolve } from 'node:path';
import { generateCorpus, relabelCorpus } from '../src/corpus/generate.js';
import { planCorpus } from '../src/corpus/plan.js';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = resolve(outIndex >= 0 && args[outIndex + 1] ? (args[outIndex + 1] as string) : 'corpus');
const quick = args.includes('--quick');
const splitIndex = args.indexOf('--split');
const split = splitIndex >= 0 ? args[splitIndex + 1] : undefined;
if (split !== undefined && split !== 'tuning' && split !== 'test') {
  process.stderr.write(`corpus: --split expects tuning or test, got ${split}\n`);
  process.exit(2);
}
const started = performance.now();
if (args.includes('--relabel')) {
  const relabelled = await relabelCorpus(out);
  process.stdout.write(`corpus: relabelled ${relabelled.runs.length} runs in ${out}\n`);
  process.exit(0);
}
process.stdout.write(`corpus: training ${quick ? 'the quick subset' : 'the full corpus'} into ${out}\n`);
const labels = await generateCorpus({ out, quick, resume: args.includes('--resume'), plan: planCorpus({ quick, ...(split ? { split } : {}) }), onProgress: (done, total, line) => process.stdout.write(`[${done}/${total}] ${line}\n`) });
process.stdout.write(`corpus: ${labels.runs.length} labelled runs (with exports) in ${((performance.now() - started) / 1000).toFixed(0)}s; labels in ${resolve(out, 'labels.json')}\n`);
