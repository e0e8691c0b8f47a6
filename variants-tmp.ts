import { runDemo } from '/work/main/src/demo/run-demo.js';
import { healthyConfig, findFault } from '/work/main/src/faults/index.js';
import type { TrainingConfig } from '/work/main/src/faults/index.js';
const V: Record<string, (c: TrainingConfig) => TrainingConfig> = {
  lr10: (c) => ({ ...c, optimizer: { ...c.optimizer, learningRate: 0.01 } }),
  lr30: (c) => ({ ...c, optimizer: { ...c.optimizer, learningRate: 0.03 } }),
  lr50: (c) => ({ ...c, optimizer: { ...c.optimizer, learningRate: 0.05 } }),
  drop5: (c) => ({ ...c, model: { ...c.model, hidden: c.model.hidden.map((l) => ({ ...l, dropout: 0.5 })) } }),
  drop7: (c) => ({ ...c, model: { ...c.model, hidden: c.model.hidden.map((l) => ({ ...l, dropout: 0.7 })) } }),
  drop8: (c) => ({ ...c, model: { ...c.model, hidden: c.model.hidden.map((l) => ({ ...l, dropout: 0.8 })) } }),
  seed2: (c) => ({ ...c, seed: 2 }),
  seed3: (c) => ({ ...c, seed: 3 }),
  relu1: (c) => findFault('relu-before-softmax')!.apply(c),
  relu2: (c) => ({ ...findFault('relu-before-softmax')!.apply(c), seed: 2 }),
  relu3: (c) => ({ ...findFault('relu-before-softmax')!.apply(c), seed: 3 }),
  sgd: (c) => ({ ...c, optimizer: { name: 'sgd', learningRate: 0.1 } }),
  sgd10: (c) => ({ ...c, optimizer: { name: 'sgd', learningRate: 1 } }),
};
for (const name of process.argv.slice(2)) {
  const r = await runDemo({ config: V[name]!(healthyConfig()) });
  const rep = r.diagnosis.runs[0]!;
  console.log(`\n=== ${name}  steps=${r.steps} valAcc=${r.valAccuracy?.toFixed(3)} train=${r.seconds.train.toFixed(1)}`);
  for (const f of rep.findings) if (f.evidence['insufficientData'] !== true) console.log(`  ${f.severity.padEnd(7)} ${f.check.padEnd(4)} ${f.layer ?? ''} ${f.message.slice(0, 200)}`);
  console.log(`  live: ${r.liveFindings.map((f) => f.check + ':' + f.severity).join(' ')}`);
  for (const tag of ['loss', 'val_loss', 'val_acc', ...(process.env.TAGS ?? '').split(',').filter(Boolean)]) { const c = r.run.scalars.get(tag); if (!c) continue; const k = Math.max(1, Math.floor(c.values.length / 30)); console.log(`  ${tag}: ${c.values.filter((_, i) => i % k === 0).map((v) => v.toPrecision(3)).join(' ')}`); }
}
