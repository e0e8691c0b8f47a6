/**
 * Loading preflight inputs from disk: model.json + shards (fs IOHandler) and CSV / JSON data files,
 * with errors naming the file, the line and what was expected.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlp, saveToDir } from '../src/test-support/tfjs-fixtures.js';
import { DataLoadError, loadData, parseCsv, splitCsv } from '../src/tfjs/probes/load-data.js';
import { ModelLoadError, fileHandler, loadModel, trainingHint } from '../src/tfjs/probes/load-model.js';

let dir: string;
let modelPath: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-load-'));
  modelPath = await saveToDir(mlp({ inputs: 3, hidden: [4], outputs: 2, outputActivation: 'softmax', name: 'tiny' }), join(dir, 'model'), {
    loss: 'categorical_crossentropy',
    optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.005 } },
    metrics: ['accuracy'],
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, text: string): Promise<string> => {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
};

describe('loadModel', () => {
  it('loads model.json and its shard with the training hints, uncompiled, same weights', async () => {
    const original = mlp({ inputs: 3, hidden: [4], outputs: 2, outputActivation: 'softmax' });
    const { model, training, shards } = await loadModel(modelPath);
    expect(model.getWeights().map((w) => w.arraySync())).toEqual(original.getWeights().map((w) => w.arraySync()));
    expect(training).toEqual({ loss: 'categoricalCrossentropy', optimizer: 'adam', learningRate: 0.005, metrics: ['accuracy'] });
    expect(shards.map((s) => s.slice(dir.length))).toEqual([join('/model', 'group1-shard1of1.bin')]);
    expect(() => model.optimizer.getConfig()).toThrow();
    const viaHandler = await tf.loadLayersModel(fileHandler(modelPath));
    expect(viaHandler.layers.length).toBe(model.layers.length);
  });

  it.each([
    ['a missing file', async () => join(dir, 'nope.json'), /nope\.json: no such file \(expected a TF\.js layers model\.json\)/],
    ['a directory', async () => dir, /is a directory/],
    ['bad JSON, with line and column', async () => write('bad.json', '{\n  "modelTopology": {\n  oops\n}'), /bad\.json: is not valid JSON \(line 3, column 3\)/],
    ['a Keras file', async () => write('m.h5', '\x89HDF....'), /is a Keras file/],
    ['a graph model', async () => write('graph.json', JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] })), /is a TF\.js graph model/],
    ['no modelTopology', async () => write('empty.json', JSON.stringify({ weightsManifest: [] })), /empty\.json: has no modelTopology object \(keys: weightsManifest\)/],
    ['no weightsManifest', async () => write('nomanifest.json', JSON.stringify({ modelTopology: { class_name: 'Sequential', config: {} } })), /has no weightsManifest array/],
  ])('%s: a ModelLoadError naming the file', async (_name, makePath, pattern) => {
    const p = await makePath();
    const err = await loadModel(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(pattern);
  });

  it('a missing or truncated shard names the shard file', async () => {
    const json = JSON.parse(await readFile(modelPath, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
    json.weightsManifest[0]!.paths = ['missing.bin'];
    const err = await loadModel(await write('model-missing-shard.json', JSON.stringify(json))).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/missing\.bin: weight file listed in model-missing-shard\.json's weightsManifest is missing/);
    await write('short.bin', 'abc');
    json.weightsManifest[0]!.paths = ['short.bin'];
    const err2 = await loadModel(await write('model-short.json', JSON.stringify(json))).catch((e: unknown) => e);
    expect((err2 as Error).message).toMatch(/short\.bin: the weight files hold 3 bytes but model-short\.json describes \d+ bytes/);
  });

  it('reads Keras training configs: object losses with from_logits, Keras 3 optimizer, schedules', () => {
    expect(trainingHint({ loss: { class_name: 'SparseCategoricalCrossentropy', config: { from_logits: true } }, optimizer_config: { module: 'keras.optimizers', class_name: 'SGD', config: { learning_rate: 0.1 } } })).toEqual({
      loss: 'sparseCategoricalCrossentropy',
      fromLogits: true,
      optimizer: 'sgd',
      learningRate: 0.1,
    });
    expect(trainingHint({ loss: ['mse', 'binary_crossentropy'], optimizer_config: { class_name: 'RMSprop', config: { learning_rate: { class_name: 'ExponentialDecay', config: { initial_learning_rate: 0.01 } } } } })).toEqual({
      loss: 'meanSquaredError,binaryCrossentropy',
      optimizer: 'rmsprop',
      learningRate: 0.01,
    });
    expect(trainingHint(null)).toEqual({});
  });
});

describe('CSV and JSON data', () => {
  it('splits quoted CSV fields with the line each row starts on', () => {
    expect(splitCsv('a,b\n"x, y",2\n\n"multi\nline",3\n', ',')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, y', '2'], line: 2 },
      { fields: ['multi\nline', '3'], line: 4 },
    ]);
  });

  it('parses a header, named targets, NaN/inf features and class-name labels', () => {
    const t = parseCsv('f1,label,f2\n1,cat,NaN\n2,dog,inf\n', 'd.csv', ['label']);
    expect(t.featureNames).toEqual(['f1', 'f2']);
    expect(t.inputs[0]).toEqual([[1, NaN], [2, Infinity]]);
    expect(t.targets[0]).toEqual([['cat'], ['dog']]);
  });

  it('loads CSV into tensors shaped for the model: class ids one-hot for categorical cross-entropy', async () => {
    const { model } = await loadModel(modelPath);
    const csv = await write('ok.csv', 'a,b,c,label\n1,2,3,0\n4,5,6,1\n7,8,9,1\n');
    const data = await loadData(csv, model, { loss: 'categoricalCrossentropy' });
    expect((data.x as tf.Tensor).shape).toEqual([3, 3]);
    expect((data.y as tf.Tensor).arraySync()).toEqual([[1, 0], [0, 1], [0, 1]]);
    expect(data.featureNames).toEqual(['a', 'b', 'c']);
    const sparse = await loadData(csv, model, { loss: 'sparseCategoricalCrossentropy' });
    expect((sparse.y as tf.Tensor).shape).toEqual([3, 1]);
    const named = await loadData(await write('named.csv', 'a,b,c,animal\n1,2,3,dog\n4,5,6,cat\n'), model, { loss: 'categoricalCrossentropy' });
    expect(named.classNames).toEqual(['cat', 'dog']);
    expect((named.y as tf.Tensor).arraySync()).toEqual([[0, 1], [1, 0]]);
    const val = await loadData(csv, model, { loss: 'categoricalCrossentropy', valPath: csv });
    expect((val.xVal as tf.Tensor).shape).toEqual([3, 3]);
  });

  it('loads the JSON format, nested or flat examples, with validation data', async () => {
    const { model } = await loadModel(modelPath);
    const p = await write('ok.json', JSON.stringify({ x: [[1, 2, 3], [4, null, 'NaN']], y: [0, [0, 1]], xVal: [[1, 1, 1]], yVal: [1] }));
    const data = await loadData(p, model, { loss: 'categoricalCrossentropy' }).catch((e: unknown) => e);
    // mixed label forms (a class id and a one-hot row) are an error naming the example
    expect((data as Error).message).toMatch(/ok\.json y\[1\]: 2 label value\(s\) for output output, the first example has 1/);
    const q = await write('ok2.json', JSON.stringify({ x: [[1, 2, 3], [4, null, 'NaN']], y: [0, 1], xVal: [[1, 1, 1]], yVal: [1] }));
    const d2 = await loadData(q, model, { loss: 'categoricalCrossentropy' });
    expect((d2.x as tf.Tensor).arraySync()).toEqual([[1, 2, 3], [4, NaN, NaN]]);
    expect((d2.yVal as tf.Tensor).arraySync()).toEqual([[0, 1]]);
  });

  it.each([
    ['a ragged row', 'ragged.csv', 'a,b,c,label\n1,2,3,0\n4,5,0\n', /ragged\.csv line 3: 3 fields, expected 4 \(as in the header\)/],
    ['a word in a feature column', 'word.csv', 'a,b,c,label\n1,2,3,0\n4,x,6,1\n', /word\.csv line 3, column 'b': 'x' is not a number/],
    ['no header', 'nohead.csv', '1,2,3,0\n4,5,6,1\n', /nohead\.csv line 1: the first line is all numbers; expected a header row/],
    ['too few features for the input', 'narrow.csv', 'a,b,label\n1,2,0\n', /narrow\.csv line 2: 2 feature value\(s\), expected 3 \(the model input .* has shape \[null, 3\]\)/],
    ['a class id out of range', 'range.csv', 'a,b,c,label\n1,2,3,0\n4,5,6,7\n', /range\.csv line 3: label 7 is not a class id in 0\.\.1/],
    ['an unknown target column', 'target.csv', 'a,b,c,label\n1,2,3,0\n', /target\.csv: no column 'y' for --target \(columns: a, b, c, label\)/],
    ['JSON syntax error with its line', 'syntax.json', '{"x": [[1,2,3]],\n "y": [0,]}', /syntax\.json line 2, column \d+: not valid JSON/],
    ['JSON example of the wrong size', 'size.json', JSON.stringify({ x: [[1, 2, 3], [1, 2]], y: [0, 1] }), /size\.json x\[1\]: 2 feature value\(s\), expected 3/],
    ['JSON x and y of different lengths', 'len.json', JSON.stringify({ x: [[1, 2, 3]], y: [0, 1] }), /len\.json: y has 2 examples, x has 1/],
    ['JSON without x', 'nox.json', JSON.stringify({ y: [0] }), /nox\.json: "x" is missing/],
  ])('%s: a DataLoadError naming the file and line', async (_name, file, text, pattern) => {
    const { model } = await loadModel(modelPath);
    const p = await write(file, text);
    const err = await loadData(p, model, { loss: 'categoricalCrossentropy', ...(file === 'target.csv' ? { target: ['y'] } : {}) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLoadError);
    expect((err as Error).message).toMatch(pattern);
  });
});
