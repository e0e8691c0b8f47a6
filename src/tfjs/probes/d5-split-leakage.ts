/**
 * D5 Split leakage: identical examples shared between the training split and the validation or test
 * split. Every example is hashed (FNV-1a plus a second multiplicative hash over the float32 bytes of
 * all its inputs); hash matches are then compared value by value, so reported pairs are exact.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
import { chunkRowsFor, forEachRowChunk, rowSize } from './batches.js';
import type { Probe, ProbeContext } from './probe.js';
import type { Deadline } from './probe-kit.js';
import { asArray, deadline } from './probe-kit.js';
import { pct, round } from './tensor-stats.js';

/** Share of a val/test split found in train for a warning / an error (below the first: info). */
const LEAK_WARN = 0.005;
const LEAK_ERROR = 0.1;
/** Example pairs listed in evidence. */
const MAX_PAIRS = 10;
/** Candidate pairs verified value by value per batch. */
const VERIFY_BATCH = 512;

/** FNV-1a (32 bit) and a second, multiplicative hash per row, combined into one 53-bit key. */
export function hashRows(tensors: readonly tf.Tensor[], clock?: Deadline): { keys: Float64Array; rowsRead: number } {
  const n = tensors[0]?.shape[0] ?? 0;
  const h1 = new Uint32Array(n).fill(0x811c9dc5);
  const h2 = new Uint32Array(n).fill(0x9747b28c);
  let rowsRead = n;
  for (const t of tensors) {
    const size = rowSize(t);
    const read = forEachRowChunk(t, chunkRowsFor(t), (values, start, rows) => {
      const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
      const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
      const rowBytes = size * 4;
      for (let r = 0; r < rows; r++) {
        let a = h1[start + r] as number;
        let b = h2[start + r] as number;
        const base = r * rowBytes;
        for (let i = 0; i < rowBytes; i++) {
          const byte = bytes[base + i] as number;
          a = Math.imul(a ^ byte, 0x01000193);
          b = Math.imul(b ^ byte, 0x5bd1e995);
          b ^= b >>> 15;
        }
        h1[start + r] = a >>> 0;
        h2[start + r] = b >>> 0;
      }
      return !(clock?.over() ?? false);
    });
    rowsRead = Math.min(rowsRead, read);
  }
  const keys = new Float64Array(rowsRead);
  for (let i = 0; i < rowsRead; i++) keys[i] = (h1[i] as number) * 2097152 + ((h2[i] as number) & 0x1fffff);
  return { keys, rowsRead };
}

/** Keeps the candidate pairs whose inputs are equal value by value. */
function verify(a: readonly tf.Tensor[], b: readonly tf.Tensor[], pairs: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (let s = 0; s < pairs.length; s += VERIFY_BATCH) {
    const batch = pairs.slice(s, s + VERIFY_BATCH);
    const equal = tf.tidy(() => {
      let all: tf.Tensor = tf.ones([batch.length], 'bool');
      a.forEach((ta, k) => {
        const tb = b[k] as tf.Tensor;
        const ra = tf.gather(ta, tf.tensor1d(batch.map((p) => p[0]), 'int32'));
        const rb = tf.gather(tb, tf.tensor1d(batch.map((p) => p[1]), 'int32'));
        const same = tf.equal(tf.reshape(ra, [batch.length, -1]), tf.reshape(rb, [batch.length, -1])).all(1);
        all = tf.logicalAnd(all, same);
      });
      return all.dataSync();
    });
    batch.forEach((p, i) => {
      if (equal[i]) out.push(p);
    });
  }
  return out;
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const train = asArray(ctx.data.x);
  const others = [
    { split: 'val', name: 'xVal', x: ctx.data.xVal },
    { split: 'test', name: 'xTest', x: ctx.data.xTest },
  ].filter((o) => o.x !== undefined);
  if (train.length === 0 || others.length === 0) return [];
  const findings: Finding[] = [];
  const trainHash = hashRows(train, clock);
  const seen = new Map<number, number>();
  let trainDuplicates = 0;
  trainHash.keys.forEach((k, i) => {
    if (seen.has(k)) trainDuplicates++;
    else seen.set(k, i);
  });
  let cutShort = trainHash.rowsRead < (train[0]?.shape[0] ?? 0);
  for (const other of others) {
    const xs = asArray(other.x as tf.Tensor | tf.Tensor[]);
    if (xs.length !== train.length || xs.some((t, k) => rowSize(t) !== rowSize(train[k] as tf.Tensor)) || clock.over()) continue;
    const h = hashRows(xs, clock);
    if (h.rowsRead < (xs[0]?.shape[0] ?? 0)) cutShort = true;
    const candidates: Array<readonly [number, number]> = [];
    h.keys.forEach((k, i) => {
      const j = seen.get(k);
      if (j !== undefined) candidates.push([j, i]);
    });
    const shared = verify(train, xs, candidates);
    if (shared.length === 0) continue;
    const n = h.rowsRead;
    const share = shared.length / Math.max(1, n);
    const severity: Severity = share >= LEAK_ERROR ? 'error' : share >= LEAK_WARN ? 'warning' : 'info';
    const listed = shared.slice(0, MAX_PAIRS);
    findings.push(
      makeFinding(d5SplitLeakage, {
        severity,
        message:
          `${shared.length} of ${n} ${other.split} examples (${pct(share)}) are identical to training examples (e.g. ${listed
            .slice(0, 3)
            .map(([t, v]) => `${other.name}[${v}] = x[${t}]`)
            .join(', ')}). ` +
          `${other.split === 'val' ? 'Validation' : 'Test'} scores on them measure memorisation, not generalisation${severity === 'error' ? ': the split is not a fair estimate' : ''}.`,
        tags: [other.name, 'x'],
        evidence: {
          split: other.split,
          sharedExamples: shared.length,
          rows: n,
          share: round(share),
          warnShare: LEAK_WARN,
          errorShare: LEAK_ERROR,
          [`${other.split}Indices`]: listed.map((p) => p[1]),
          trainIndices: listed.map((p) => p[0]),
          duplicatesWithinTrain: trainDuplicates,
          hash: 'fnv1a32+mult21 over float32 bytes, verified by value',
        },
        actions: [
          `remove the shared examples from ${other.split} (or from train), then re-evaluate`,
          'deduplicate the raw data before splitting, and split by entity (user, patient, image source) when examples of one entity are near-identical',
          'check augmentation or oversampling is applied after the split, never before',
        ],
      }),
    );
  }
  if (cutShort) {
    findings.push(
      makeFinding(d5SplitLeakage, {
        severity: 'info',
        title: `${d5SplitLeakage.title}: cut short`,
        message: 'The time budget ran out before every example was hashed; shared examples among the unread rows are not counted.',
        evidence: { cutShort: true, trainRowsHashed: trainHash.rowsRead, budgetMs: ctx.budgetMs },
        actions: ['raise the D5 budget to hash every example'],
      }),
    );
  }
  return findings;
}

/**
 * D5 Split leakage: hashes every example's input bytes in train, val and test, verifies hash matches
 * by value, and reports examples shared between train and val/test with their indices. Error when
 * >= 10% of a split is in train, warning >= 0.5%, info below.
 * @example
 * const [f] = await d5SplitLeakage.run(ctx); f?.evidence.sharedExamples
 */
export const d5SplitLeakage: Probe = {
  id: 'D5',
  title: 'Split leakage',
  severity: 'error',
  kind: 'probe',
  description: 'Hashes every example (float32 bytes of its inputs) and reports validation/test examples identical to training examples, with their indices.',
  budgetMs: 15_000,
  run,
};
