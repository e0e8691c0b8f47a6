/**
 * TensorBoard event files: the reader (`tensorboardReader`), the writer (`createEventFileWriter`)
 * and the pieces they share (TFRecord framing, default histogram buckets).
 * @example
 * import { tensorboardReader, createEventFileWriter } from './formats/tensorboard/index.js';
 * const w = createEventFileWriter('runs/exp1');
 * w.scalar('train/loss', 0, 2.3);
 * w.close();
 * const run = createRun('runs/exp1', 'tensorboard');
 * await tensorboardReader.read(w.path, runSink(run), {});
 */
export { tensorboardReader } from './reader.js';
export { EventFileWriter, createEventFileWriter } from './writer.js';
export type { EventFileWriterOptions } from './writer.js';
export { defaultBucketLimits, histogramFromValues } from './bins.js';
export { frameRecord, maskedCrc32c } from './records.js';
