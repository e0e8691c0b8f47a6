/**
 * From a decoded `Event` to telemetry: scalars (`simple_value`, rank-0 tensors), histograms
 * (`HistogramProto`, TF2 `[k,3]` tensors), and the hyper-parameters of the hparams plugin
 * (`session_start_info`, as PyTorch `add_hparams`, tensorboardX and TF2 `hp.hparams` write them) as
 * run metadata. Everything else (images, audio, text, graphs, run metadata, Keras model config, the
 * hparams experiment and session-end summaries) is ignored silently.
 */
import protobuf from 'protobufjs';
import type { TelemetrySink } from '../../telemetry/run.js';
import type { Histogram, StepUnit } from '../../telemetry/series.js';
import { histogramFromTriples } from '../../telemetry/series.js';
import type { EventMessage, HistogramMessage, TensorMessage } from './proto.js';
import { int64ToNumber } from '../protobuf/int64.js';
import { isStringTensor, tensorNumbers, tensorShape } from './tensors.js';

/**
 * What a reader must remember about one file between reads: the plugin of each tag. TF writers
 * attach summary metadata (plugin name) only to the first value of a tag in a file.
 */
export interface FileState {
  readonly plugins: Record<string, string>;
}

/** Reports a problem with one value of an event (code, message without the file name). */
export type ValueProblem = (code: string, message: string) => void;

/** Counts of what {@link emitEvent} pushed. */
export interface Emitted {
  scalars: number;
  histograms: number;
}

/**
 * Pushes the scalars and histograms of `event` into `sink`. Tags starting with `epoch_` (Keras)
 * get the unit `epoch`, others `step`.
 * @example
 * emitEvent(decodeEvent(payload), sink, { plugins: {} }, (code, msg) => problems.push(...), counts);
 */
export function emitEvent(event: EventMessage, sink: TelemetrySink, state: FileState, problem: ValueProblem, counts: Emitted): void {
  const values = event.summary?.value;
  if (!values || values.length === 0) return;
  const step = int64ToNumber(event.step);
  const wallTime = event.wall_time;
  for (const v of values) {
    const tag = v.tag || v.node_name;
    if (!tag) continue;
    const declared = v.metadata?.plugin_data?.plugin_name;
    if (declared) state.plugins[tag] = declared;
    if (declared === HPARAMS_PLUGIN) {
      emitHparams(v.metadata?.plugin_data?.content, tag, sink, problem);
      continue;
    }
    const unit: StepUnit = tag.startsWith('epoch_') ? 'epoch' : 'step';
    if (Object.hasOwn(v, 'simple_value')) {
      sink.scalar(tag, step, v.simple_value as number, wallTime, unit);
      counts.scalars++;
    } else if (v.histo) {
      const h = fromHistogramProto(v.histo);
      if (typeof h === 'string') problem('bad-histogram', `histogram '${tag}' at step ${step}: ${h}`);
      else {
        sink.histogram(tag, step, h, wallTime, unit);
        counts.histograms++;
      }
    } else if (v.tensor) {
      emitTensor(v.tensor, tag, state.plugins[tag] ?? '', step, wallTime, unit, sink, problem, counts);
    }
  }
}

function emitTensor(
  t: TensorMessage,
  tag: string,
  plugin: string,
  step: number,
  wallTime: number,
  unit: StepUnit,
  sink: TelemetrySink,
  problem: ValueProblem,
  counts: Emitted,
): void {
  if (isStringTensor(t) || (plugin !== '' && plugin !== 'scalars' && plugin !== 'histograms')) return;
  const shape = tensorShape(t);
  if (plugin === 'histograms') {
    if (shape.length !== 2 || shape[1] !== 3) {
      problem('bad-histogram', `histogram '${tag}' at step ${step}: expected a [k,3] tensor, found shape [${shape.join(',')}]`);
      return;
    }
    if (shape[0] === 0) return; // histogram of an empty tensor: nothing to show
    const numbers = tensorNumbers(t);
    if (!numbers || numbers.length !== (shape[0] as number) * 3) {
      problem('bad-histogram', `histogram '${tag}' at step ${step}: expected ${(shape[0] as number) * 3} numbers (dtype ${t.dtype}), found ${numbers?.length ?? 'none'}`);
      return;
    }
    const triples: Array<[number, number, number]> = [];
    for (let i = 0; i + 2 < numbers.length; i += 3) triples.push([numbers[i] as number, numbers[i + 1] as number, numbers[i + 2] as number]);
    sink.histogram(tag, step, histogramFromTriples(triples), wallTime, unit);
    counts.histograms++;
    return;
  }
  // A scalar: plugin `scalars` (any single-element tensor) or no plugin and rank 0.
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements !== 1 || (plugin === '' && shape.length !== 0)) return;
  const numbers = tensorNumbers(t);
  if (!numbers || numbers.length === 0) {
    if (plugin === 'scalars') problem('bad-scalar', `scalar '${tag}' at step ${step}: no numeric value in tensor (dtype ${t.dtype})`);
    return;
  }
  sink.scalar(tag, step, numbers[0] as number, wallTime, unit);
  counts.scalars++;
}

/** Converts a HistogramProto, or explains why it is unusable. */
function fromHistogramProto(p: HistogramMessage): Histogram | string {
  if (p.bucket_limit.length !== p.bucket.length) {
    return `expected as many bucket limits as buckets, found ${p.bucket_limit.length} limits and ${p.bucket.length} buckets`;
  }
  return {
    min: p.min,
    max: p.max,
    num: p.num,
    sum: p.sum,
    sumSquares: p.sum_squares,
    bucketLimits: p.bucket_limit,
    bucketCounts: p.bucket,
  };
}

/** Plugin name of TensorBoard's hparams summaries. */
const HPARAMS_PLUGIN = 'hparams';

/**
 * The part of tensorboard/plugins/hparams/plugin_data.proto (and google/protobuf/struct.proto's
 * `Value`) nndoctor reads: `HParamsPluginData.session_start_info.hparams`, a map from name to a
 * scalar value. Field numbers are the upstream ones; the experiment (2) and session-end (4) messages,
 * and list or struct values, are skipped by the decoder.
 */
const HPARAMS_SCHEMA = `
syntax = "proto3";
package nndoctor.hparams;

message HParamsPluginData {
  int32 version = 1;
  SessionStartInfo session_start_info = 3;
}

message SessionStartInfo {
  map<string, Value> hparams = 1;
  string group_name = 4;
}

message Value {
  oneof kind {
    int32 null_value = 1;
    double number_value = 2;
    string string_value = 3;
    bool bool_value = 4;
  }
}
`;

const HParamsPluginData = protobuf.parse(HPARAMS_SCHEMA, { keepCase: true }).root.lookupType('nndoctor.hparams.HParamsPluginData');

interface HparamValueMessage {
  number_value?: number;
  string_value?: string;
  bool_value?: boolean;
}

interface HparamsMessage {
  session_start_info?: { hparams?: Record<string, HparamValueMessage> } | null;
}

/** Pushes the hyper-parameters of an hparams `session_start_info` summary as run metadata. */
function emitHparams(content: Uint8Array | undefined, tag: string, sink: TelemetrySink, problem: ValueProblem): void {
  if (!content || content.length === 0) return;
  let data: HparamsMessage;
  try {
    data = HParamsPluginData.decode(content) as unknown as HparamsMessage;
  } catch (error) {
    problem('bad-hparams', `hparams summary '${tag}': not an HParamsPluginData message (${error instanceof Error ? error.message : String(error)}); its hyper-parameters are not read`);
    return;
  }
  const hparams = data.session_start_info?.hparams;
  if (!hparams) return;
  for (const [key, value] of Object.entries(hparams)) {
    if (Object.hasOwn(value, 'number_value')) sink.meta(key, value.number_value as number);
    else if (Object.hasOwn(value, 'string_value')) sink.meta(key, value.string_value as string);
    else if (Object.hasOwn(value, 'bool_value')) sink.meta(key, value.bool_value as boolean);
  }
}
