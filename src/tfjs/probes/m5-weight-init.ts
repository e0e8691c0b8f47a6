/**
 * M5 Weight init: kernels that are all zero or constant (every unit computes the same thing and gets
 * the same gradient: symmetry is never broken), non-finite, or whose scale is far from the
 * Glorot/He/LeCun scales for their fan-in and fan-out (vanishing or exploding signals from step 0).
 */
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
import { outputHead } from './model-graph.js';
import type { Probe, ProbeContext } from './probe.js';
import { round } from './tensor-stats.js';

/** Std below LOW x the smallest reference scale or above HIGH x the largest: warning. */
const LOW = 0.1;
const HIGH = 10;
/** Kernels with fewer elements than this skip the scale check (their std is too noisy). */
const MIN_ELEMENTS = 16;

/** Fan-in and fan-out of a kernel of `shape` (Keras convention: receptive field x channels). */
export function fans(shape: readonly number[], className: string, weightName: string): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const cin = shape[shape.length - 2] as number;
  const cout = shape[shape.length - 1] as number;
  if (/depthwise/i.test(weightName) || className === 'DepthwiseConv2D') return { fanIn: receptive, fanOut: receptive * cout };
  return { fanIn: receptive * cin, fanOut: receptive * cout };
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const outputLayers = new Set(ctx.model.outputs.map((_o, i) => outputHead(ctx.model, i).producer?.name).filter((n): n is string => !!n));
  for (const layer of ctx.model.layers) {
    for (const w of layer.weights) {
      const name = w.originalName ?? w.name;
      if (!/kernel$/.test(name)) continue;
      const shape = w.shape as number[];
      const values = w.read().dataSync();
      const n = values.length;
      if (n === 0) continue;
      let sum = 0;
      let nonFinite = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        if (!Number.isFinite(v)) {
          nonFinite++;
          continue;
        }
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const mean = sum / Math.max(1, n - nonFinite);
      let q = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        if (Number.isFinite(v)) q += (v - mean) ** 2;
      }
      const std = Math.sqrt(q / Math.max(1, n - nonFinite));
      const { fanIn, fanOut } = fans(shape, layer.getClassName(), name);
      const he = Math.sqrt(2 / fanIn);
      const lecun = Math.sqrt(1 / fanIn);
      const glorot = Math.sqrt(2 / (fanIn + fanOut));
      const lowRef = Math.min(he, lecun, glorot);
      const highRef = Math.max(he, lecun, glorot);
      const isOutput = outputLayers.has(layer.name);
      const short = name.split('/').pop() ?? name;
      const evidence = {
        weight: name,
        shape: JSON.stringify(shape),
        fanIn,
        fanOut,
        mean: round(mean),
        std: round(std),
        min: round(min),
        max: round(max),
        heStd: round(he),
        glorotStd: round(glorot),
        lecunStd: round(lecun),
        ratioToLowest: round(std / lowRef),
        ratioToHighest: round(std / highRef),
        lowFactor: LOW,
        highFactor: HIGH,
        nonFinite,
        outputLayer: isOutput,
      };
      let severity: Severity | null = null;
      let message = '';
      let actions: string[] = [];
      if (nonFinite > 0) {
        severity = 'error';
        message = `${layer.name}/${short} holds ${nonFinite} non-finite value${nonFinite === 1 ? '' : 's'} before training: every output is NaN.`;
        actions = ['re-initialise the layer; if the weights were loaded, the checkpoint is corrupt'];
      } else if (std === 0 && n > 1) {
        const zero = mean === 0;
        severity = isOutput ? (zero ? 'info' : 'warning') : 'error';
        message = isOutput
          ? `${layer.name}/${short} (the output layer) is ${zero ? 'all zeros' : `constant (${round(mean, 4)})`}: ${zero ? 'a deliberate zero-init of the last layer is fine, but' : 'every output unit starts identical and'} the layers below get no gradient on the first step.`
          : `${layer.name}/${short} is ${zero ? 'all zeros' : `constant (every weight ${round(mean, 4)})`}: all ${shape[shape.length - 1]} units compute the same function and receive the same gradient, so they stay identical forever (symmetry is never broken)${zero ? ' and the layers below get no gradient' : ''}.`;
        actions = [`initialise ${layer.name} randomly: kernelInitializer 'glorotUniform' (tanh/sigmoid/linear) or 'heNormal' (ReLU)`, 'never use zeros or a constant initializer for hidden-layer kernels'];
      } else if (n >= MIN_ELEMENTS && (std < LOW * lowRef || std > HIGH * highRef)) {
        severity = 'warning';
        const small = std < LOW * lowRef;
        message =
          `${layer.name}/${short} starts with std ${round(std, 4)} for fan-in ${fanIn}: ${round(small ? std / lowRef : std / highRef, 3)}x the ${small ? 'smallest' : 'largest'} standard scale ` +
          `(He ${round(he, 4)}, Glorot ${round(glorot, 4)}, LeCun ${round(lecun, 4)}; limits ${LOW}x / ${HIGH}x). ${small ? 'Signals and gradients shrink layer after layer: training starts slowly or not at all.' : 'Activations and gradients blow up or saturate from the first step.'}`;
        actions = [`use kernelInitializer 'heNormal' (ReLU) or 'glorotUniform' (tanh/sigmoid/linear) for ${layer.name}`, 'if the scale is deliberate (e.g. a small final layer), check M3 and T7 after a few steps'];
      }
      if (severity) findings.push(makeFinding(m5WeightInit, { severity, message, layer: layer.name, evidence, actions }));
    }
  }
  return findings;
}

/**
 * M5 Weight init, per kernel (Dense, Conv, RNN kernels and recurrent kernels): error when a hidden
 * kernel is all zeros or constant (symmetry) or holds NaN/Inf; for the output layer a zero kernel is
 * info and a constant one a warning; warning when the std is below 0.1x the smallest or above 10x the
 * largest of the He sqrt(2/fan_in), LeCun sqrt(1/fan_in) and Glorot sqrt(2/(fan_in+fan_out)) scales
 * (kernels with >= 16 weights).
 * @example
 * const findings = await m5WeightInit.run(ctx); findings.map((f) => f.layer)
 */
export const m5WeightInit: Probe = {
  id: 'M5',
  title: 'Weight init',
  severity: 'error',
  kind: 'probe',
  description: 'Per layer: all-zero or constant kernels (symmetry), non-finite weights, or a std far from Glorot/He/LeCun for the fan-in.',
  budgetMs: 1_000,
  run,
};
