import { runDemo } from '/work/main/src/demo/run-demo.js';
import { faults, findFault } from '/work/main/src/faults/index.js';
const which = process.argv.slice(2);
const list = which.length ? which.map((id) => (id === 'healthy' ? null : findFault(id)!)) : [null, ...faults];
for (const fault of list) {
  const r = await runDemo({ fault, overrides: JSON.parse(process.env.OV ?? '{}') });
  const fs = r.diagnosis.runs[0]!.findings.filter((f) => f.evidence['insufficientData'] !== true);
  console.log(`\n=== ${fault?.id ?? 'healthy'} steps=${r.steps} acc=${r.valAccuracy?.toFixed(3)} load=${r.seconds.load.toFixed(1)} train=${r.seconds.train.toFixed(1)} :: ${fs.map((f) => `${f.check}:${f.severity[0]}${f.layer ? '@' + f.layer : ''}`).join(' ')}`);
  for (const f of fs) console.log(`   ${f.check} ${f.message.slice(0, 250)}`);
  console.log(`  live: ${r.liveFindings.map((f) => f.check + ':' + f.severity[0]).join(' ')}`);
}
