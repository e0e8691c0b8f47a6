import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventFileWriter } from './src/formats/tensorboard/index.js';
import { discoverRuns, loadRun, readers } from './src/formats/index.js';
import { diagnoseRun } from './src/diagnose/diagnose.js';
import { checks } from './src/checks/index.js';
const dir = mkdtempSync(join(tmpdir(), 'nndw-'));
const w = createEventFileWriter(join(dir, 'r'), { flushBytes: 8 << 20, hostname: 'b' });
let seed = 7; const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
for (let step = 0; step < 100_000; step++) { w.scalar('train/loss', step, 2.3 / (1 + step / 5000) + 0.05 * rand(), 1.7e9); if (step % 1000 === 0) w.scalar('val/loss', step, 2.4 / (1 + step / 6000) + 0.1, 1.7e9); }
w.close();
const d = await discoverRuns([dir], readers);
for (let k = 0; k < 3; k++) {
  let t = performance.now();
  const l = await loadRun(d.runs[0]!);
  const read = performance.now() - t;
  t = performance.now();
  diagnoseRun(l.run);
  console.log('read', read.toFixed(0), 'diagnose', (performance.now() - t).toFixed(0));
}
const l = await loadRun(d.runs[0]!);
const { resolveCurves } = await import('./src/telemetry/curves.js');
const curves = resolveCurves(l.run);
for (const c of checks) { const t = performance.now(); c.run({ run: l.run, curves }); const ms = performance.now() - t; if (ms > 20) console.log(c.id, ms.toFixed(0)); }
