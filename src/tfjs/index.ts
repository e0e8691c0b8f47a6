/**
 * TF.js instrumentation: per-layer telemetry and live checks while a TF.js model trains.
 * See docs/tfjs.md.
 * @example
 * import { createDoctor } from './tfjs/index.js';
 * const doctor = createDoctor({ logDir: 'runs/exp1', stopOn: 'error' });
 * await doctor.fit(model, xs, ys, { epochs: 5, validationSplit: 0.2 });
 * await doctor.close();
 */
import { quietBackend } from './backend.js';

export { createDoctor } from './doctor.js';
export type { Doctor, DoctorOptions, FindingContext, TrainStepArgs } from './doctor-api.js';
export { DEFAULT_CHECK_EVERY, DEFAULT_EVERY } from './doctor-api.js';
export { learningRate, quietBackend } from './backend.js';

// TF.js' pure-JS backend prints an "install tfjs-node" banner on its first tensor in Node; the doctor
// is meant to be quiet unless something is wrong.
quietBackend();
