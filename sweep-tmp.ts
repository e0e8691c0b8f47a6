import { runDemo } from '/work/main/src/demo/run-demo.js';
import { faults, findFault } from '/work/main/src/faults/index.js';
const which = process.argv.slice(2);
const list = which.length ? which.map((id) => (id === 'healthy' ? null : findFault(id)!)) : [null, ...faults];
for (const fault of list) {
  const r = await runDemo({ fault, overrides: JSON.parse(process.env.OV ?? '{}') });
  const rep = r.diagnosis.runs[0]!;
  console.log(`\n=== ${fault?.id ?? 'healthy'}  steps=${r.steps} valAcc=${r.valAccuracy?.toFixed(3)} load=${r.seconds.load.toFixed(1)} train=${r.seconds.train.toFixed(1)} diag=${r.seconds.diagnose.toFixed(2)}`);
  for (const f of rep.findings) if (f.evidence['insufficientData'] !== true) console.log(`  ${f.severity.padEnd(7)} ${f.check.padEnd(4)} ${f.layer ?? ''} ${f.message.slice(0, 220)}`);
  if (process.env.CURVE) for (const tag of ['loss', 'val_loss', 'val_acc', ...(process.env.CURVE.split(',').filter(Boolean))]) { const c = r.run.scalars.get(tag); if (!c) continue; const k = Math.max(1, Math.floor(c.values.length / 40)); console.log(`  ${tag}: ${c.values.filter((_, i) => i % k === 0).map((v) => v.toPrecision(3)).join(' ')}`); }
  console.log(`  live: ${r.liveFindings.map((f) => f.check + ":" + f.severity).join(" ")}`); if (process.env.LIVE) for (const f of r.liveFindings) console.log(`    live ${f.check} ${f.message.slice(0, 300)}`);
}
