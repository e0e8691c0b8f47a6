/**
 * Seeded random numbers (mulberry32), a seeded Fisher-Yates permutation and seed derivation: every
 * random choice nndoctor makes (data order, fault injection, probes, test data) is reproducible
 * (TF.js' own `fit` shuffle uses `Math.random`).
 */

/**
 * A generator of uniform numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence.
 * @example
 * const next = seededRandom(42);
 * next(); // 0.6011037519201636 (always, for seed 42)
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded random permutation of `0 .. n-1`.
 * @example
 * permutation(5, 1) // e.g. Int32Array [3, 0, 4, 1, 2], the same every time for seed 1
 */
export function permutation(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const next = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

/**
 * Mixes a seed with a stream number (an epoch, a layer) into a new 32-bit seed.
 * @example
 * deriveSeed(1, 3) !== deriveSeed(1, 4) // true
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
