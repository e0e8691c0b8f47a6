/**
 * The `model.fit` callback: a `tf.CustomCallback` that also keeps the model `fit` hands to callbacks
 * (TF.js gives it to `setModel`, which `CustomCallback` ignores), so it can read the learning rate and
 * set `model.stopTraining`.
 */
import * as tf from '@tensorflow/tfjs';

/** What the doctor does at each callback event. */
export interface CallbackHooks {
  trainBegin(model: tf.LayersModel | null): void;
  batchEnd(batch: number, logs: tf.Logs, model: tf.LayersModel | null): void;
  epochEnd(logs: tf.Logs, model: tf.LayersModel | null): void;
  trainEnd(model: tf.LayersModel | null): void;
}

type SetModelArg = Parameters<tf.CustomCallback['setModel']>[0];

/**
 * A fit callback driving `hooks`; `model` is the model being trained (null before `fit` starts).
 * @example
 * await model.fit(x, y, { callbacks: [new DoctorCallback(hooks)] });
 */
export class DoctorCallback extends tf.CustomCallback {
  model: tf.LayersModel | null = null;

  constructor(hooks: CallbackHooks) {
    const self: { cb: DoctorCallback | null } = { cb: null };
    const model = (): tf.LayersModel | null => self.cb?.model ?? null;
    super({
      onTrainBegin: () => hooks.trainBegin(model()),
      onBatchEnd: (batch, logs) => hooks.batchEnd(batch, logs ?? {}, model()),
      onEpochEnd: (_epoch, logs) => hooks.epochEnd(logs ?? {}, model()),
      onTrainEnd: () => hooks.trainEnd(model()),
    });
    self.cb = this;
  }

  override setModel(model: SetModelArg): void {
    this.model = model as unknown as tf.LayersModel;
  }
}

/**
 * `fit`'s `callbacks` argument as a list of callback objects (TF.js accepts one callback, a list, or
 * plain `{ onBatchEnd, ... }` objects).
 * @example
 * const list = callbackList(args.callbacks, args.yieldEvery);
 */
export function callbackList(callbacks: tf.ModelFitArgs['callbacks'], yieldEvery: tf.ModelFitArgs['yieldEvery']): Array<tf.Callback | tf.CustomCallback> {
  if (callbacks == null) return [];
  const list = (Array.isArray(callbacks) ? callbacks : [callbacks]) as unknown[];
  return list.map((c) => (c instanceof tf.Callback || c instanceof tf.CustomCallback ? c : new tf.CustomCallback(c as tf.CustomCallbackArgs, yieldEvery)));
}
