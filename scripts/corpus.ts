/**
 * `npm run corpus [-- --out DIR] [-- --quick] [-- --relabel]`: trains the labelled fault corpus (docs/quality.md)
 * into `corpus/` at the repo root (or DIR), one progress line per run. `--relabel` re-derives
 * labels.json from the existing log directories (after a labeller change) without training.
 */
import { resolve } from 'node:path';
import { generateCorpus, relabelCorpus } from '../src/corpus/generate.js';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = resolve(outIndex >= 0 && args[outIndex + 1] ? (args[outIndex + 1] as string) : 'corpus');
const quick = args.includes('--quick');
const started = performance.now();
if (args.includes('--relabel')) {
  const relabelled = await relabelCorpus(out);
  process.stdout.write(`corpus: relabelled ${relabelled.runs.length} runs in ${out}\n`);
  process.exit(0);
}
process.stdout.write(`corpus: training ${quick ? 'the quick subset' : 'the full corpus'} into ${out}\n`);
const labels = await generateCorpus({ out, quick, onProgress: (done, total, line) => process.stdout.write(`[${done}/${total}] ${line}\n`) });
process.stdout.write(`corpus: ${labels.runs.length} labelled runs (with exports) in ${((performance.now() - started) / 1000).toFixed(0)}s; labels in ${resolve(out, 'labels.json')}\n`);
