/**
 * M9 shape bugs: re-runs a clone's graph on a batch of 7 (and, where an input has free dimensions,
 * other distinct odd primes: 11, 13, 17...) and traces every layer's output shape against what the
 * layer declares. Distinct primes make a mix-up visible: a batch of 14 after a layer means the batch
 * axis was merged with a dimension of 2; 77 means batch x the free dimension 11.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { asArray, disposeModel, disposeTrace, exampleCount, traceLayers, unwrap } from './probe-kit.js';

const META = { id: 'M9', title: 'Shape bugs' } as const;
const BATCH = 7;
const PRIMES = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];

type Shape = ReadonlyArray<number | null>;

/** Explains a size in terms of the primes used. */
function explain(size: number, named: ReadonlyMap<number, string>): string {
  const parts: string[] = [];
  let rest = size;
  for (const [p, name] of [...named].sort((a, b) => b[0] - a[0])) {
    while (rest % p === 0 && rest > 1) {
      parts.push(`${name} ${p}`);
      rest /= p;
    }
  }
  if (parts.length === 0) return `${size}`;
  return `${size} = ${parts.join(' × ')}${rest !== 1 ? ` × ${rest}` : ''}`;
}

export const m9ShapeBugs: Probe = {
  ...META,
  severity: 'error',
  kind: 'probe',
  description:
    'Re-runs the model with batch size 7 and other distinct odd primes for free input dimensions and traces each layer: a layer whose output batch is not 7, or whose sizes differ from its declared output shape, is reported with the sizes explained in terms of the primes.',
  budgetMs: 1500,
  async run(ctx) {
    const clone = await cloneModel(ctx.model);
    const named = new Map<number, string>([[BATCH, 'batch']]);
    const staticDims = new Set(clone.inputs.flatMap((s) => s.shape.filter((d): d is number => typeof d === 'number')));
    const primes = PRIMES.filter((p) => !staticDims.has(p));
    let next = 0;
    const dataX = asArray(ctx.data.x);
    const haveRows = exampleCount(ctx.data.x) >= BATCH;
    const inputs: tf.Tensor[] = clone.inputs.map((s, i) => {
      const shape = s.shape.map((d, k) => {
        if (k === 0) return BATCH;
        if (d !== null) return d;
        const p = primes[next++ % primes.length]!;
        named.set(p, `free dimension ${k} of input ${s.name.replace(/:\d+$/, '')}`);
        return p;
      });
      const free = s.shape.slice(1).some((d) => d === null);
      const source = dataX[i];
      if (!free && haveRows && source && source.shape.slice(1).join() === shape.slice(1).join()) return source.slice(0, BATCH);
      if (s.dtype === 'int32') return tf.tidy(() => tf.mod(tf.range(0, shape.reduce((a, b) => a * b, 1), 1, 'int32'), 2).reshape(shape));
      return tf.randomNormal(shape, 0, 1, 'float32', ctx.seed);
    });
    const findings: Finding[] = [];
    try {
      let trace: ReturnType<typeof traceLayers> | null = null;
      try {
        trace = traceLayers(clone, inputs, false);
      } catch (err) {
        // find the first layer that fails
        const layers = clone.layers.filter((l) => l.getClassName() !== 'InputLayer');
        let failing: tf.layers.Layer | null = null;
        let message = err instanceof Error ? err.message : String(err);
        for (const layer of layers) {
          try {
            const sub = tf.model({ inputs: clone.inputs, outputs: layer.output });
            tf.dispose(sub.predict(unwrap(inputs)) as tf.Tensor | tf.Tensor[]);
          } catch (e) {
            failing = layer;
            message = e instanceof Error ? e.message : String(e);
            break;
          }
        }
        findings.push(
          makeFinding(META, {
            severity: 'error',
            title: 'The model fails on a batch of 7',
            message: `the forward pass fails with batch size ${BATCH}${named.size > 1 ? ' and free dimensions set to other primes' : ''}${failing ? ` at layer ${failing.name} (${failing.getClassName()})` : ''}: ${message.split('\n')[0]}`,
            layer: failing?.name ?? null,
            evidence: { batch: BATCH, inputShapes: inputs.map((t) => `[${t.shape.join(', ')}]`).join(' '), error: message.split('\n')[0] ?? '' },
            actions: [
              'look for a hard-coded batch size or sequence length in this layer (a reshape to a fixed first dimension, a constant of batch shape)',
              'use -1 or the layer input shape for the batch axis, never a number',
            ],
          }),
        );
        return findings;
      }
      ctx.progress?.(0.7);
      try {
      for (const t of trace) {
        const declared = t.layer.outputShape as Shape | Shape[];
        const declaredList: Shape[] = Array.isArray(declared[0]) ? (declared as Shape[]) : [declared as Shape];
        for (let o = 0; o < t.outputs.length; o++) {
          const actual = t.outputs[o]!.shape;
          const want = declaredList[o];
          if (!want) continue;
          const problems: string[] = [];
          if (actual[0] !== BATCH) problems.push(`batch dimension is ${explain(actual[0] ?? 0, named)} instead of ${BATCH}`);
          if (want.length !== actual.length) problems.push(`rank ${actual.length} instead of the declared ${want.length}`);
          else
            want.forEach((d, k) => {
              if (k > 0 && d !== null && d !== actual[k]) problems.push(`dimension ${k} is ${explain(actual[k]!, named)} instead of the declared ${d}`);
            });
          if (problems.length === 0) continue;
          const batchBug = actual[0] !== BATCH;
          findings.push(
            makeFinding(META, {
              severity: 'error',
              title: batchBug ? 'A layer changes the batch size' : 'A layer output does not match its declared shape',
              message: `${t.layer.name} (${t.layer.getClassName()}) outputs [${actual.join(', ')}] for a batch of ${BATCH}; declared [${want.map((d) => (d === null ? 'null' : d)).join(', ')}]: ${problems.join('; ')}${batchBug ? ' — the batch axis is being merged with or split into another axis (a reshape across the batch)' : ''}.`,
              layer: t.layer.name,
              evidence: {
                batch: BATCH,
                actualShape: [...actual],
                declaredShape: want.map((d) => (d === null ? -1 : d)),
                inputShapes: inputs.map((x) => `[${x.shape.join(', ')}]`).join(' '),
              },
              actions: batchBug
                ? ['reshape with the batch axis kept explicit (x.reshape([batch, ...]) or [-1, ...rest] where rest excludes the batch), never merge it into features', 'use transpose, not reshape, to reorder axes']
                : ['fix computeOutputShape of this layer, or the reshape/transpose it does, so declared and actual shapes agree'],
            }),
          );
          break;
        }
        if (findings.length > 0) break; // later layers only propagate the first mismatch
      }
      } finally {
        disposeTrace(trace);
      }
      ctx.progress?.(1);
      return findings;
    } finally {
      tf.dispose(inputs);
      disposeModel(clone);
    }
  },
};
