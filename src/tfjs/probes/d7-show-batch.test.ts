import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { d7ShowBatch } from './d7-show-batch.js';
import { context, memorySink, mlp, runClean, spec } from './test-support/probe-fixtures.js';

/** 12x12 grey images: class 0 a horizontal bar, 1 a vertical bar, 2 a square outline; values in [0, 1]. */
function shapes(n: number, scale = 1): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const px: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    labels.push(k);
    for (let r = 0; r < 12; r++) {
      for (let c = 0; c < 12; c++) {
        const on = k === 0 ? r >= 5 && r <= 6 && c >= 2 && c <= 9 : k === 1 ? c >= 5 && c <= 6 && r >= 2 && r <= 9 : (r === 2 || r === 9 || c === 2 || c === 9) && r >= 2 && r <= 9 && c >= 2 && c <= 9;
        px.push((on ? 0.9 : 0.05 * ((i + r + c) % 3)) * scale);
      }
    }
  }
  return { x: tf.tensor4d(px, [n, 12, 12, 1]), y: tf.tensor1d(labels, 'int32') };
}

/** Parses a PNG: checks signature and chunk CRCs are present, returns size and inflated scanlines. */
function readPng(png: Uint8Array): { width: number; height: number; colour: number; raw: Uint8Array } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let colour = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      colour = png[at + 17] as number;
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  return { width, height, colour, raw: new Uint8Array(inflateSync(Buffer.concat(idat))) };
}

const imageModel = () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [12, 12, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })] });

describe('D7 show the batch', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('writes an image grid PNG with labels and a legend (info only for a good batch)', async () => {
    const model = imageModel();
    const { x, y } = shapes(20);
    const sink = memorySink();
    const findings = await runClean(d7ShowBatch, context(model, { x, y, kind: 'image', classNames: ['bar', 'pole', 'box'] }, spec('sparseCategoricalCrossentropy', { batchSize: 16 }), { artefacts: sink }));
    expect(findings.map((f) => f.severity)).toEqual(['info']);
    const f = findings[0]!;
    expect(f.evidence).toMatchObject({ shown: 16, layout: 'image', displayRange: '[0,1]', artefact: 'mem/d7-batch.png', constantImages: 0, labels: '0 1 2 0 1 2 0 1 2 0 1 2 0 1 2 0' });
    const png = readPng(sink.files.get('d7-batch.png') as Uint8Array);
    expect(png.colour).toBe(0);
    expect(png.raw.length).toBe((png.width + 1) * png.height);
    expect(png.width).toBeGreaterThan(8 * 12);
    expect(sink.files.get('d7-batch-labels.md')).toMatch(/\| 2 \| 0, 2 \| box \|/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('warns on images outside the usual ranges and on blank images', async () => {
    const model = imageModel();
    const { x, y } = shapes(8, 1000); // e.g. normalised twice the wrong way
    const blank = tf.zeros([8, 12, 12, 1]);
    const f1 = await runClean(d7ShowBatch, context(model, { x, y, kind: 'image' }, spec('sparseCategoricalCrossentropy')));
    expect(f1.map((f) => f.severity)).toEqual(['info', 'warning']);
    expect(f1[1]!.evidence.displayRange).toBe('min-max');
    expect(f1[1]!.message).toMatch(/outside the usual/);
    const f2 = await runClean(d7ShowBatch, context(model, { x: blank, y, kind: 'image' }, spec('sparseCategoricalCrossentropy')));
    expect(f2.map((f) => f.severity)).toEqual(['info', 'warning']);
    expect(f2[1]!.message).toMatch(/all 8 images are constant/);
    tf.dispose([x, y, blank]);
    model.dispose();
  });

  it('writes a CSV for tables with feature names and keeps a markdown preview', async () => {
    const model = mlp(3, 2);
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3]);
    const y = tf.tensor1d([0, 1, 1, 0]);
    const sink = memorySink();
    const findings = await runClean(d7ShowBatch, context(model, { x, y, featureNames: ['a', 'b', 'c'], classNames: ['no', 'yes'] }, spec('sparseCategoricalCrossentropy'), { artefacts: sink }));
    expect(findings.map((f) => f.severity)).toEqual(['info']);
    expect(sink.files.get('d7-batch.csv')).toBe('a,b,c,label\n1,2,3,no\n4,5,6,yes\n7,8,9,yes\n10,11,12,no\n');
    expect(findings[0]!.evidence.preview).toMatch(/\| a \| b \| c \| label \|/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('without an artefact sink keeps the preview in evidence; warns when every example is the same', async () => {
    const model = mlp(3, 1);
    const x = tf.ones([6, 3]);
    const y = tf.zeros([6, 1]);
    const findings = await runClean(d7ShowBatch, context(model, { x, y }, spec('binaryCrossentropy')));
    expect(findings.map((f) => f.severity)).toEqual(['info', 'warning']);
    expect(findings[0]!.evidence.artefact).toBeNull();
    expect(findings[1]!.message).toMatch(/identical/);
    tf.dispose([x, y]);
    model.dispose();
  });
});
