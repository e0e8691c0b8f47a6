import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../telemetry/run.js';
import { createRun, runSink } from '../../telemetry/run.js';
import { tensorboardReader } from './reader.js';

const REAL = fileURLToPath(new URL('../../../examples/real-logs/', import.meta.url));

async function eventFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await eventFiles(full)));
    else if (e.name.includes('tfevents')) out.push(full);
  }
  return out.sort();
}

async function load(relative: string): Promise<Run> {
  const run = createRun(relative, 'tensorboard');
  const result = await tensorboardReader.read(join(REAL, relative), runSink(run), {});
  expect(result.problems).toEqual([]);
  return run;
}

const KERAS = 'tf2_keras_reuters/mod1-reuters-1690485395/';

describe('tensorboardReader on real event files', () => {
  it('reads every real event file with zero problems, up to its last byte', async () => {
    const files = await eventFiles(REAL);
    expect(files.length).toBe(46);
    for (const file of files) {
      const run = createRun(file, 'tensorboard');
      const result = await tensorboardReader.read(file, runSink(run), {});
      expect(result.problems, file).toEqual([]);
      expect(result.records, file).toBeGreaterThan(0);
      const { size } = await stat(file);
      expect(result.cursor.offset, file).toBe(size);
    }
  });

  it('reads Keras epoch scalars (rank-0 tensors) with the epoch unit', async () => {
    const run = await load(`${KERAS}train/events.out.tfevents.1690485396.e-bnbobg-5l77j-0.80091.3.v2`);
    expect([...run.scalars.keys()]).toEqual(['epoch_loss', 'epoch_accuracy']);
    const loss = run.scalars.get('epoch_loss');
    expect(loss?.unit).toBe('epoch');
    expect(loss?.steps).toEqual([...Array(20).keys()]);
    expect(loss?.values[0]).toBeCloseTo(2.386592, 5);
    expect(loss?.values[1]).toBeCloseTo(1.423525, 5);
    expect(loss?.values[19]).toBeCloseTo(0.108554, 5);
    expect(loss?.wallTimes[0]).toBeCloseTo(1690485399.235, 2);
    expect(run.scalars.get('epoch_accuracy')?.values[19]).toBeCloseTo(0.955274, 5);
  });

  it('reads TF2 [k,3] histogram tensors', async () => {
    const run = await load(`${KERAS}train/events.out.tfevents.1690485396.e-bnbobg-5l77j-0.80091.3.v2`);
    expect([...run.histograms.keys()].sort()).toEqual([
      'dense_3/bias_0/histogram', 'dense_3/kernel_0/histogram', 'dense_4/bias_0/histogram',
      'dense_4/kernel_0/histogram', 'dense_5/bias_0/histogram', 'dense_5/kernel_0/histogram',
    ]);
    const kernel = run.histograms.get('dense_3/kernel_0/histogram');
    expect(kernel?.steps).toEqual([...Array(20).keys()]);
    const h = kernel?.histograms[0];
    expect(h?.bucketCounts.length).toBe(30);
    expect(h?.num).toBe(640000); // a 10000 x 64 kernel
    expect(h?.min).toBeCloseTo(-0.0485209, 6);
    expect(h?.max).toBeCloseTo(0.0484403, 6);
    expect(Number.isNaN(h?.sumSquares)).toBe(false);
  });

  it('reads the Keras validation split: epoch scalars and per-iteration evaluation scalars', async () => {
    const run = await load(`${KERAS}validation/events.out.tfevents.1690485399.e-bnbobg-5l77j-0.80091.4.v2`);
    expect([...run.scalars.keys()].sort()).toEqual([
      'epoch_accuracy', 'epoch_loss', 'evaluation_accuracy_vs_iterations', 'evaluation_loss_vs_iterations',
    ]);
    expect(run.scalars.get('epoch_loss')?.values[0]).toBeCloseTo(1.673588, 5);
    expect(run.scalars.get('epoch_loss')?.values[19]).toBeCloseTo(0.878472, 5);
    const evalLoss = run.scalars.get('evaluation_loss_vs_iterations');
    expect(evalLoss?.unit).toBe('step');
    expect(evalLoss?.steps.slice(0, 3)).toEqual([16, 32, 48]);
  });

  it('reads PyTorch HistogramProto histograms', async () => {
    const run = await load('pytorch_tb_histogram_demo/histogram/hist/events.out.tfevents.1581507292.hskim-pc');
    expect([...run.histograms.keys()]).toEqual(['hist-numpy', 'hist-torch']);
    const series = run.histograms.get('hist-numpy');
    expect(series?.steps).toEqual([0, 1, 2, 3, 4]);
    const h = series?.histograms[0];
    expect(h?.num).toBe(1000);
    expect(h?.min).toBeCloseTo(-3.245188, 5);
    expect(h?.sumSquares).toBeCloseTo(1024.4213, 3);
    expect(h?.bucketLimits.length).toBe(h?.bucketCounts.length);
    expect(h?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('reads PyTorch simple_value scalars with negative steps', async () => {
    const run = await load('pytorch_tb_histogram_demo/scalar/tutorial/events.out.tfevents.1581503788.hskim-pc');
    const sin = run.scalars.get('sin');
    expect(sin?.steps[0]).toBe(-360);
    expect(sin?.steps.length).toBe(720);
    expect(run.scalars.get('cos')?.values[0]).toBe(1);
  });

  it('reads the PyTorch SummaryWriter scalars of the pets UNet sweep and ignores its text summaries', async () => {
    const run = await load('pets_unet_deeplab/unet/runs/UNet_lr1e_3/events.out.tfevents.1738153627.wn44.4022.0');
    expect([...run.scalars.keys()]).toEqual([
      'Training loss', 'Test loss (avg on test)', 'IoU (avg on test)', 'L1 Distance (avg on test)', 'Epoch time',
    ]);
    expect(run.histograms.size).toBe(0);
    const train = run.scalars.get('Training loss');
    expect(train?.steps.slice(0, 3)).toEqual([0, 115, 230]);
    expect(train?.values.length).toBe(49);
    expect(train?.values[0]).toBeCloseTo(0.347056, 5);
    expect(run.scalars.get('Test loss (avg on test)')?.steps[0]).toBe(115);
    expect(run.scalars.get('IoU (avg on test)')?.values[0]).toBeCloseTo(0.523978, 5);
  });

  it('reads tensorboardX (2018) files', async () => {
    const run = await load('tensorboardx_2018_demo/runs/Aug29_15-34-06_DESKTOP-4D03LNHLinear/events.out.tfevents.1535528046.DESKTOP-4D03LNH');
    const train = run.scalars.get('Train');
    expect(train?.steps).toEqual([...Array(60).keys()]);
    expect(train?.values[0]).toBeCloseTo(0.658822, 5);
    expect(train?.values[59]).toBeCloseTo(0.169048, 5);
    const group = await load('tensorboardx_2018_demo/runs/Aug29_15-47-56_DESKTOP-4D03LNH/data/scalar_group/xsinx/events.out.tfevents.1535528877.DESKTOP-4D03LNH');
    expect(group.scalars.get('data/scalar_group')?.values[1]).toBeCloseTo(Math.sin(1), 6);
  });

  it('resumes from a cursor without reading anything twice', async () => {
    const file = join(REAL, 'pytorch_tb_histogram_demo/scalar/tutorial/events.out.tfevents.1581503788.hskim-pc');
    const run = createRun('x', 'tensorboard');
    const first = await tensorboardReader.read(file, runSink(run), {});
    const again = await tensorboardReader.read(file, runSink(run), { from: first.cursor });
    expect(again).toEqual({ cursor: first.cursor, problems: [], records: 0 });
    expect(run.scalars.get('sin')?.values.length).toBe(720);
  });
});

describe('tensorboardReader.detect', () => {
  it('accepts tfevents names and record-shaped heads, rejects other files', () => {
    expect(tensorboardReader.detect('logs/events.out.tfevents.123.host', new Uint8Array())).toBe(true);
    const head = Uint8Array.from(Buffer.from('0900000000000000' + '37f97139' + '09d959871b93e1d641', 'hex'));
    expect(tensorboardReader.detect('logs/renamed.bin', head)).toBe(true);
    expect(tensorboardReader.detect('logs/metrics.csv', new TextEncoder().encode('step,loss\n0,1.2\n'))).toBe(false);
    expect(tensorboardReader.detect('logs/x', new Uint8Array(3))).toBe(false);
  });
});
