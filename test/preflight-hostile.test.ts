/**
 * Preflight on hostile inputs (issue 13, red-team findings): weight paths leading out of the model's
 * folder or at devices, shards of the wrong size, layer graphs TF.js would loop on forever, a model
 * whose build never finishes, 100 000-deep JSON, devices and FIFOs as data, and data too large for
 * the --budget (sampled). Every input is generated in a temp dir; nothing big is written.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';
import { mlp, saveToDir } from '../src/test-support/tfjs-fixtures.js';
import { CsvSplitter, DataLoadError, loadData, rowsForBudget, splitCsv } from '../src/tfjs/probes/load-data.js';
import { ModelLoadError, loadModel, registerCustomLayers } from '../src/tfjs/probes/load-model.js';
import { topologyProblem } from '../src/tfjs/probes/model-topology.js';
import { jsonDepthExceeded } from '../src/tfjs/probes/safe-read.js';

let dir: string;
let modelDir: string;
let modelPath: string;
let manifestJson: { weightsManifest: Array<{ paths: string[]; weights: unknown[] }> } & Record<string, unknown>;
let shard: Buffer;

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s), isTTY: false }, stderr: { write: (s: string) => (err += s), isTTY: false }, env: {}, out: () => out, err: () => err };
}

/** A copy of the saved model.json with its weight paths replaced, written into the model's folder. */
async function withPaths(name: string, paths: string[]): Promise<string> {
  const json = structuredClone(manifestJson);
  json.weightsManifest[0]!.paths = paths;
  const p = join(modelDir, name);
  await writeFile(p, JSON.stringify(json));
  return p;
}

async function loadError(p: string, options?: Parameters<typeof loadModel>[1]): Promise<ModelLoadError> {
  const err = await loadModel(p, options).then(
    (m) => {
      m.model.dispose();
      return new Error('loaded');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelLoadError);
  return err as ModelLoadError;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-hostile-'));
  modelDir = join(dir, 'model');
  const model = mlp({ inputs: 4, hidden: [8], outputs: 3, outputActivation: 'softmax', name: 'tiny' });
  modelPath = await saveToDir(model, modelDir, { loss: 'categorical_crossentropy' });
  model.dispose();
  manifestJson = JSON.parse(await readFile(modelPath, 'utf8')) as typeof manifestJson;
  shard = await readFile(join(modelDir, 'group1-shard1of1.bin'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('weight files: only regular files inside the model folder, only the declared bytes', () => {
  it('refuses an absolute path such as /dev/zero without opening it', async () => {
    const err = await loadError(await withPaths('zero.json', ['/dev/zero']));
    expect(err.code).toBe('unsafe-path');
    expect(err.message).toMatch(/zero\.json: weightsManifest\[0\]\.paths\[0\] is the absolute path '\/dev\/zero'; weight files are read only from the model's folder/);
  });

  it.each([['../outside.bin'], ['../../etc/passwd'], ['sub/../../outside.bin']])('refuses %s (leads out of the folder)', async (p) => {
    await writeFile(join(dir, 'outside.bin'), shard);
    const err = await loadError(await withPaths('dotdot.json', [p]));
    expect(err.code).toBe('unsafe-path');
    expect(err.message).toContain(`weightsManifest[0].paths[0] '${p}' leads out of the model's folder`);
  });

  it('refuses a symbolic link inside the folder that leads outside it, and follows one that stays inside', async () => {
    await writeFile(join(dir, 'secret.bin'), shard);
    await symlink(join(dir, 'secret.bin'), join(modelDir, 'escape.bin'));
    const err = await loadError(await withPaths('escape.json', ['escape.bin']));
    expect(err.code).toBe('unsafe-path');
    expect(err.file).toBe(join(modelDir, 'escape.bin'));
    expect(err.message).toMatch(/escape\.bin: weight file listed in escape\.json's weightsManifest resolves to .*secret\.bin, outside the model's folder .*\(through a symbolic link\)/);

    await mkdir(join(modelDir, 'shards'), { recursive: true });
    await writeFile(join(modelDir, 'shards', 'real.bin'), shard);
    await symlink(join(modelDir, 'shards', 'real.bin'), join(modelDir, 'inside.bin'));
    const { model } = await loadModel(await withPaths('inside.json', ['inside.bin']));
    expect(model.getWeights().length).toBe(4);
    model.dispose();
  });

  it('refuses a symlinked folder leading outside', async () => {
    await mkdir(join(dir, 'elsewhere'), { recursive: true });
    await writeFile(join(dir, 'elsewhere', 'w.bin'), shard);
    await symlink(join(dir, 'elsewhere'), join(modelDir, 'linkdir'));
    const err = await loadError(await withPaths('linkdir.json', ['linkdir/w.bin']));
    expect(err.code).toBe('unsafe-path');
  });

  it('refuses a shard larger than the manifest declares, naming the file and both sizes', async () => {
    await writeFile(join(modelDir, 'big.bin'), Buffer.concat([shard, Buffer.alloc(100)]));
    const err = await loadError(await withPaths('big.json', ['big.bin']));
    expect(err.code).toBe('shard-size');
    expect(err.file).toBe(join(modelDir, 'big.bin'));
    expect(err.message).toContain(`big.bin: the weight files hold ${shard.length + 100} bytes but big.json describes ${shard.length} bytes for 4 weights (weightsManifest[0]; this file is ${shard.length + 100} bytes, expected ${shard.length})`);
  });

  it('in a group of several shards, names the shard that passes the declared size', async () => {
    await writeFile(join(modelDir, 'part1.bin'), Buffer.concat([shard, Buffer.alloc(8)]));
    await writeFile(join(modelDir, 'part2.bin'), Buffer.alloc(8));
    const err = await loadError(await withPaths('parts.json', ['part1.bin', 'part2.bin']));
    expect(err.code).toBe('shard-size');
    expect(err.message).toContain(`part1.bin: the weight files hold ${shard.length + 16} bytes`);
    expect(err.message).toContain(`this file is ${shard.length + 8} bytes, expected at most ${shard.length}`);
    // split correctly, the two shards load
    await writeFile(join(modelDir, 'part1.bin'), shard.subarray(0, 100));
    await writeFile(join(modelDir, 'part2.bin'), shard.subarray(100));
    const { model } = await loadModel(await withPaths('parts-ok.json', ['part1.bin', 'part2.bin']));
    model.dispose();
  });

  it('refuses a device or FIFO as model.json, and a FIFO shard, without blocking', async () => {
    const zero = await loadError('/dev/zero');
    expect(zero.code).toBe('not-a-file');
    expect(zero.message).toBe('/dev/zero: is a character device, not a regular file (expected a TF.js layers model.json)');
    const fifo = join(modelDir, 'fifo.bin');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here
    }
    const err = await loadError(await withPaths('fifo.json', ['fifo.bin']));
    expect(err.code).toBe('not-a-file');
    expect(err.message).toMatch(/fifo\.bin: weight file listed in fifo\.json's weightsManifest is a FIFO \(named pipe\), not a regular file/);
    const asModel = await loadError(fifo);
    expect(asModel.code).toBe('not-a-file');
  });

  it('refuses a model.json nested 100 000 deep with the byte offset, without overflowing the stack', async () => {
    const p = join(dir, 'deep-model.json');
    await writeFile(p, `{"modelTopology": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "weightsManifest": []}`);
    const err = await loadError(p);
    expect(err.code).toBe('too-deep');
    expect(err.message).toMatch(/deep-model\.json: nests arrays\/objects more than 64 deep at byte 81 \(line 1, column 82\)/);
  });
});

/** A functional model input -> a -> b -> c, saved; returns its model.json text. */
async function functionalJson(): Promise<{ modelTopology: { config: { layers: Array<{ name: string; inbound_nodes: unknown[]; config: Record<string, unknown> }> } } }> {
  const input = tf.input({ shape: [4], name: 'in' });
  const a = tf.layers.dense({ units: 4, name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 4, name: 'b' }).apply(a) as tf.SymbolicTensor;
  const c = tf.layers.dense({ units: 3, activation: 'softmax', name: 'c' }).apply(b) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: c, name: 'func' });
  const p = await saveToDir(model, join(dir, 'func'));
  model.dispose();
  return JSON.parse(await readFile(p, 'utf8')) as Awaited<ReturnType<typeof functionalJson>>;
}

describe('layer graphs TF.js would never finish building', () => {
  it.each([
    ['a cycle a -> b -> c -> a', (l: Layers) => void (l[1]!.inbound_nodes = [[['c', 0, 0, {}]]]), /model 'func': the layer graph has a cycle: a -> b -> c -> a/],
    ['a layer fed by itself', (l: Layers) => void (l[2]!.inbound_nodes = [[['b', 0, 0, {}]]]), /the layer graph has a cycle: b -> b \(the layer's inbound_nodes name its own output as its input\)/],
    ['an input from a layer that does not exist', (l: Layers) => void (l[2]!.inbound_nodes = [[['ghost', 0, 0, {}]]]), /layer 'b' inbound node 0 input 0 names layer 'ghost', which is not in the model/],
    ['a call of a layer that never happens', (l: Layers) => void (l[2]!.inbound_nodes = [[['a', 3, 0, {}]]]), /layer 'b' inbound node 0 input 0 uses call \(node\) 3 of layer 'a', which is called 1 time\(s\)/],
    ['a layer whose config.name differs', (l: Layers) => void (l[3]!.config['name'] = 'a'), /layer 'c' has config\.name "a"; expected the same name as the layer/],
    ['a malformed input reference', (l: Layers) => void (l[2]!.inbound_nodes = [['a']]), /layer 'b' inbound node 0 input 0 is "a"; expected \[layer name, node index, tensor index, kwargs\?\]/],
  ])('%s: refused before TF.js sees it, naming the layers', async (_name, mutate, pattern) => {
    const json = await functionalJson();
    mutate(json.modelTopology.config.layers);
    const p = join(dir, 'func', 'broken.json');
    await writeFile(p, JSON.stringify(json));
    const t0 = performance.now();
    const err = await loadError(p);
    expect(err.code).toBe('bad-topology');
    expect(err.message).toMatch(/broken\.json: layer graph refused \(TF\.js would never finish building it\)/);
    expect(err.message).toMatch(pattern);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('the CLI prints the cycle as a usage error: exit 2, one line, no stack', async () => {
    const json = await functionalJson();
    json.modelTopology.config.layers[1]!.inbound_nodes = [[['c', 0, 0, {}]]];
    const p = join(dir, 'func', 'cycle.json');
    await writeFile(p, JSON.stringify(json));
    await writeFile(join(dir, 'tiny.csv'), 'f1,f2,f3,f4,label\n1,2,3,4,0\n');
    const io = capture();
    expect(await runCli(['preflight', p, '--data', join(dir, 'tiny.csv')], io)).toBe(2);
    expect(io.err()).toMatch(/^nndoctor: .*cycle\.json: layer graph refused .* a -> b -> c -> a/);
    expect(io.err()).not.toMatch(/\n\s+at /);
    expect(io.out()).toBe('');
  });

  it('accepts a layer shared at two depths, A(B(A(x))) (calls, not layers, must be acyclic)', async () => {
    const input = tf.input({ shape: [4], name: 'x' });
    const shared = tf.layers.dense({ units: 4, name: 'shared' });
    const middle = tf.layers.dense({ units: 4, name: 'middle' });
    const out = shared.apply(middle.apply(shared.apply(input))) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out, name: 'tied' });
    const p = await saveToDir(model, join(dir, 'tied'));
    const json = JSON.parse(await readFile(p, 'utf8')) as { modelTopology: unknown };
    expect(topologyProblem(json.modelTopology)).toBeNull();
    const loaded = await loadModel(p);
    const [got, want] = tf.tidy(() => {
      const probe = tf.ones([2, 4]);
      return [(loaded.model.predict(probe) as tf.Tensor).arraySync(), (model.predict(probe) as tf.Tensor).arraySync()];
    });
    expect(got).toEqual(want);
    loaded.model.dispose();
    model.dispose();
  });

  it('checks models nested as layers too', () => {
    const inner = { class_name: 'Model', config: { name: 'inner', layers: [{ name: 'p', class_name: 'Dense', config: { name: 'p' }, inbound_nodes: [[['q', 0, 0, {}]]] }, { name: 'q', class_name: 'Dense', config: { name: 'q' }, inbound_nodes: [[['p', 0, 0, {}]]] }] } };
    const outer = { class_name: 'Sequential', config: { name: 'outer', layers: [inner] } };
    expect(topologyProblem(outer)?.message).toMatch(/model 'inner': the layer graph has a cycle: p -> q -> p/);
    expect(topologyProblem(outer)?.layers).toEqual(expect.arrayContaining(['p', 'q']));
  });

  it('bounds the build in time: a build that never ends is stopped at the limit with a clear error', async () => {
    // A custom layer whose constructor spins forever, but only in the rehearsal worker (workerData
    // carries tfPath there), so this test can never hang the test process itself.
    const module = join(dir, 'spin-layer.mjs');
    await writeFile(
      module,
      `import { workerData } from 'node:worker_threads';
export default function register(tf) {
  class NndSpin extends tf.layers.Layer {
    static className = 'NndSpin';
    constructor(config = {}) {
      super(config);
      if (workerData && workerData.tfPath) for (;;) {}
      throw new Error('NndSpin was built outside the rehearsal');
    }
  }
  tf.serialization.registerClass(NndSpin);
}
`,
    );
    expect(await registerCustomLayers(module)).toEqual(['NndSpin']);
    const p = join(dir, 'spin.json');
    await writeFile(p, JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { name: 'spin', layers: [{ class_name: 'NndSpin', config: { name: 'spin1', batch_input_shape: [null, 4] } }] } }, weightsManifest: [] }));
    const t0 = performance.now();
    const err = await loadError(p, { timeoutMs: 1500 });
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/spin\.json: TF\.js did not finish building the model within 1\.5 s \(preflight's limit on building a model from model\.json\)/);
    expect(performance.now() - t0).toBeLessThan(20_000);
    // the next load starts a fresh worker and works
    const { model } = await loadModel(modelPath);
    model.dispose();
  });
});

type Layers = Array<{ name: string; inbound_nodes: unknown[]; config: Record<string, unknown> }>;

describe('data files', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    model = (await loadModel(modelPath)).model;
  });
  afterAll(() => model.dispose());

  it('refuses a 100 000-deep data.json with the byte offset, before parsing', async () => {
    const p = join(dir, 'deep.json');
    await writeFile(p, `{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "y": [0]}`);
    const err = await loadData(p, model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLoadError);
    expect((err as DataLoadError).code).toBe('too-deep');
    // '{' is level 1 and '"x": ' takes bytes 1-5: the 64th '[' is level 65, at byte 6 + 63
    expect((err as Error).message).toBe(
      `${p}: nests arrays/objects more than 64 deep at byte 69 (line 1, column 70); expected {"x": [...], "y": [...]} with examples nested as deep as the model's input shape`,
    );
  });

  it('refuses a device or a FIFO as data without reading it', async () => {
    const err = await loadData('/dev/zero', model).catch((e: unknown) => e);
    expect((err as DataLoadError).code).toBe('not-a-file');
    expect((err as Error).message).toBe('/dev/zero: is a character device, not a regular file (expected a CSV or JSON data file)');
    const fifo = join(dir, 'data-fifo.csv');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return;
    }
    const err2 = await loadData(fifo, model).catch((e: unknown) => e);
    expect((err2 as DataLoadError).code).toBe('not-a-file');
  });

  it('counts JSON depth past brackets in strings and in bytes for multi-byte text', () => {
    expect(jsonDepthExceeded('{"a": "[[[[", "b": [1]}', 2)).toBeNull();
    expect(jsonDepthExceeded('{"a\\"[[": [[1]]}', 2)).toEqual({ offset: 11, line: 1, column: 12 });
    const text = '{"é": [\n[[1]]]}';
    const bytes = Buffer.from(text, 'utf8');
    expect(jsonDepthExceeded(text, 3)).toEqual({ offset: 10, line: 2, column: 2 });
    expect(jsonDepthExceeded(bytes, 3)).toEqual(jsonDepthExceeded(text, 3));
  });

  it('splits CSV pushed in chunks of any size exactly as in one piece', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\n\n"multi\nline","",4\r5,6,"7"\r\n8,9,10';
    const whole = splitCsv(text, ',');
    for (const size of [1, 2, 3, 5, 7]) {
      const rows: Array<{ fields: string[]; line: number }> = [];
      const s = new CsvSplitter(',', (fields, line) => rows.push({ fields, line }));
      for (let i = 0; i < text.length; i += size) s.push(text.slice(i, i + size));
      s.end();
      expect(rows).toEqual(whole);
    }
    expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 6, 7]);
    expect(whole[1]!.fields).toEqual(['1', 'x, "y"', '3']);
  });

  describe('sampling so the probes fit the budget', () => {
    let big: string;
    const N = 200_000;
    beforeAll(async () => {
      // f1 is the row number, so the sample's order can be read back; one row has the only 'zebra'
      big = join(dir, 'big.csv');
      const lines = ['f1,f2,f3,f4,label'];
      for (let i = 0; i < N; i++) lines.push(`${i},${(i % 7) / 7},${(i % 11) / 11},${(i % 13) / 13},${i === 123_457 ? 'zebra' : i % 2 ? 'cat' : 'dog'}`);
      await writeFile(big, lines.join('\n') + '\n');
    });

    it('keeps a seeded random sample of the rows, in file order, and says how many of how many', async () => {
      const data = await loadData(big, model, { loss: 'sparseCategoricalCrossentropy', budgetMs: 2000, seed: 7 });
      const used = rowsForBudget(2000, 4 + 3);
      expect(used).toBe(2000);
      expect(data.rows).toEqual([{ file: big, part: 'rows', used, total: N }]);
      const ids = ((data.x as tf.Tensor).arraySync() as number[][]).map((r) => r[0]!);
      expect(ids).toHaveLength(used);
      expect(ids.every((v, i) => i === 0 || v > ids[i - 1]!)).toBe(true);
      expect(ids[ids.length - 1]! - ids[0]!).toBeGreaterThan(N * 0.9); // spread over the file
      // class names come from every row, sampled or not
      expect(data.classNames).toEqual(['cat', 'dog', 'zebra']);
      const again = await loadData(big, model, { loss: 'sparseCategoricalCrossentropy', maxRows: used, seed: 7 });
      expect(((again.x as tf.Tensor).arraySync() as number[][]).map((r) => r[0])).toEqual(ids);
      const other = await loadData(big, model, { loss: 'sparseCategoricalCrossentropy', maxRows: used, seed: 8 });
      expect(((other.x as tf.Tensor).arraySync() as number[][]).map((r) => r[0])).not.toEqual(ids);
      tf.dispose([data.x, data.y, again.x, again.y, other.x, other.y] as tf.Tensor[]);
    });

    it('samples JSON examples the same way, train and validation separately', async () => {
      const n = 5000;
      const p = join(dir, 'big.json');
      const x = Array.from({ length: n }, (_v, i) => [i, 0, 0, 0]);
      const y = Array.from({ length: n }, (_v, i) => i % 3);
      await writeFile(p, JSON.stringify({ x, y, xVal: x.slice(0, 1000), yVal: y.slice(0, 1000) }));
      const data = await loadData(p, model, { loss: 'categoricalCrossentropy', maxRows: 600 });
      expect(data.rows).toEqual([
        { file: p, part: 'x/y', used: 600, total: n },
        { file: p, part: 'xVal/yVal', used: 600, total: 1000 },
      ]);
      const ids = ((data.x as tf.Tensor).arraySync() as number[][]).map((r) => r[0]!);
      expect(ids.every((v, i) => i === 0 || v > ids[i - 1]!)).toBe(true);
      expect(((data.y as tf.Tensor).arraySync() as number[][]).map((r) => r.indexOf(1))).toEqual(ids.map((i) => i % 3));
      tf.dispose([data.x, data.y, data.xVal!, data.yVal!] as tf.Tensor[]);
    });

    it('the CLI on 200k rows with --budget 2: the note, the row count, and probes within the budget', async () => {
      const io = capture();
      const t0 = performance.now();
      const code = await runCli(['preflight', modelPath, '--data', big, '--only', 'D1,D4,P7', '--budget', '2', '--format', 'json', '--fail-on', 'never'], io);
      const wall = performance.now() - t0;
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      const run = (JSON.parse(io.out()) as { runs: Array<{ notes: string[]; probeMs: Record<string, number> }> }).runs[0]!;
      expect(run.notes).toContain(`data: 2000 of ${N} examples of ${big} used, a random sample in file order (seed 42) sized so the probes fit --budget 2 s; a larger --budget uses more`);
      const probes = Object.values(run.probeMs).reduce((a, b) => a + b, 0);
      // generous: the probes may overrun their shares a little, never by the minutes 200k rows took
      expect(probes).toBeLessThan(2000 * 3);
      expect(wall).toBeLessThan(probes + 30_000);
    });
  });
});
