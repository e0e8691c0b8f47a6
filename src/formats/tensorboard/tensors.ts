/**
 * Numbers out of a `TensorProto`: the value lists (`float_val`, `double_val`, ...) or the raw
 * little-endian `tensor_content`, for the numeric dtypes TensorBoard summaries use.
 */
import type { TensorMessage } from './proto.js';
import { int64ToNumber } from '../protobuf/int64.js';

/** TensorFlow `DataType` enum values nndoctor decodes. */
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_STRING = 7;
const DT_INT64 = 9;
const DT_BFLOAT16 = 14;
const DT_HALF = 19;

/**
 * Shape of a tensor as plain numbers (`[]` for a scalar).
 * @example
 * tensorShape(value.tensor) // [30, 3] for a TF2 histogram
 */
export function tensorShape(t: TensorMessage): number[] {
  const dims = t.tensor_shape?.dim ?? [];
  return dims.map((d) => int64ToNumber(d.size));
}

/**
 * Whether the tensor holds strings (text summaries, Keras model config).
 * @example
 * if (isStringTensor(value.tensor)) return; // text: not telemetry
 */
export function isStringTensor(t: TensorMessage): boolean {
  return t.dtype === DT_STRING;
}

/**
 * The tensor's values as numbers, or `null` for dtypes that are not numeric (strings, bools,
 * complex) or not supported. Values are in row-major order, as TensorFlow stores them.
 * @example
 * tensorNumbers({ dtype: 1, float_val: [0.5], ... }) // [0.5]
 */
export function tensorNumbers(t: TensorMessage): ArrayLike<number> | null {
  // protobufjs leaves an absent bytes field as an empty plain array, not a Uint8Array.
  const raw = t.tensor_content instanceof Uint8Array ? t.tensor_content : new Uint8Array(0);
  const hasRaw = raw.length > 0;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (t.dtype) {
    case DT_FLOAT:
      return hasRaw ? fromRaw(raw.byteLength >> 2, (i) => view.getFloat32(i * 4, true)) : t.float_val;
    case DT_DOUBLE:
      return hasRaw ? fromRaw(raw.byteLength >> 3, (i) => view.getFloat64(i * 8, true)) : t.double_val;
    case DT_INT32:
      return hasRaw ? fromRaw(raw.byteLength >> 2, (i) => view.getInt32(i * 4, true)) : t.int_val;
    case DT_INT64:
      return hasRaw ? fromRaw(raw.byteLength >> 3, (i) => Number(view.getBigInt64(i * 8, true))) : t.int64_val.map(int64ToNumber);
    case DT_HALF:
      return hasRaw ? fromRaw(raw.byteLength >> 1, (i) => halfToNumber(view.getUint16(i * 2, true))) : t.half_val.map(halfToNumber);
    case DT_BFLOAT16:
      return hasRaw ? fromRaw(raw.byteLength >> 1, (i) => bfloat16ToNumber(view.getUint16(i * 2, true))) : t.half_val.map(bfloat16ToNumber);
    default:
      return null;
  }
}

function fromRaw(n: number, get: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/** IEEE 754 binary16 bits to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bf16 = new DataView(new ArrayBuffer(4));

/** bfloat16 bits (the top half of a float32) to a number. */
function bfloat16ToNumber(bits: number): number {
  bf16.setUint32(0, (bits & 0xffff) << 16);
  return bf16.getFloat32(0);
}
