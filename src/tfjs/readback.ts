/**
 * One read-back per sampled step: statistics are queued as small tensors with the tags they fill,
 * concatenated on the device and read with a single `dataSync`, so a sampled step costs one
 * device-to-host transfer however many layers the model has.
 */
import * as tf from '@tensorflow/tfjs';

interface Entry {
  readonly tags: readonly string[] | null;
  readonly histogram: string | null;
  readonly size: number;
  /** Elements the sampled values stand for (histograms of a strided sample), else `size`. */
  readonly represents: number;
}

/** What a read-back returns. */
export interface ReadValues {
  readonly scalars: Array<[string, number]>;
  readonly histograms: Array<{ tag: string; values: Float32Array; represents: number }>;
}

/**
 * Queues statistic tensors, then reads them all at once. Queued tensors are owned by the queue
 * (disposed by {@link Readback.read} or {@link Readback.dispose}).
 * @example
 * const rb = new Readback();
 * rb.scalars(['grad_norm/dense/kernel'], tf.keep(tf.norm(g)));
 * const { scalars } = rb.read();
 */
export class Readback {
  #parts: tf.Tensor[] = [];
  #entries: Entry[] = [];

  /** Queues a tensor of `tags.length` values (any shape); kept across tidy scopes until read. */
  scalars(tags: readonly string[], t: tf.Tensor): void {
    this.#push(t, { tags, histogram: null, size: tags.length, represents: tags.length });
  }

  /** Queues values for histogram `tag`; `represents` = how many elements they are a sample of. */
  values(tag: string, t: tf.Tensor, represents: number): void {
    this.#push(t, { tags: null, histogram: tag, size: t.size, represents });
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Concatenates everything queued, reads it with one `dataSync`, disposes the tensors. */
  read(): ReadValues {
    const out: ReadValues = { scalars: [], histograms: [] };
    if (this.#parts.length === 0) return out;
    const all = tf.tidy(() => tf.concat(this.#parts.map((p) => tf.cast(tf.reshape(p, [-1]), 'float32'))));
    const data = all.dataSync() as Float32Array;
    all.dispose();
    let at = 0;
    for (const e of this.#entries) {
      if (e.tags) e.tags.forEach((tag, i) => out.scalars.push([tag, data[at + i] as number]));
      else if (e.histogram) out.histograms.push({ tag: e.histogram, values: data.slice(at, at + e.size), represents: e.represents });
      at += e.size;
    }
    this.dispose();
    return out;
  }

  /** Disposes whatever is queued (after an error). */
  dispose(): void {
    tf.dispose(this.#parts);
    this.#parts = [];
    this.#entries = [];
  }

  #push(t: tf.Tensor, e: Entry): void {
    tf.keep(t);
    this.#parts.push(t);
    this.#entries.push(e);
  }
}
