import { runDemo } from '/work/main/src/demo/run-demo.js';
import { healthyConfig, findFault, withOverrides } from '/work/main/src/faults/index.js';
const [id, seedsArg, ov, every] = process.argv.slice(2);
for (const seed of seedsArg!.split(',').map(Number)) {
  const fault = id === 'healthy' ? null : findFault(id!)!;
  const t0 = performance.now();
  const r = await runDemo({ fault, overrides: { ...JSON.parse(ov ?? '{}'), seed }, ...(every ? { every: Number(every) } : {}) });
  const fs = r.diagnosis.runs[0]!.findings.filter((f) => f.evidence['insufficientData'] !== true);
  console.log(`${id} seed=${seed} steps=${r.steps} acc=${r.valAccuracy?.toFixed(3)} t=${((performance.now() - t0) / 1000).toFixed(1)}s :: ${fs.map((f) => `${f.check}:${f.severity[0]}${f.layer ? '@' + f.layer : ''}`).join(' ')}`);
}
