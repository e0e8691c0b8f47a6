import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../telemetry/run.js';
import { createRun, runSink } from '../../telemetry/run.js';
import type { ReadOptions, ReadResult } from '../reader.js';
import { encodeEvent } from './proto.js';
import { tensorboardReader } from './reader.js';
import { frameRecord, maskedCrc32c } from './records.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-tb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A version record plus one `loss` scalar per step; also returns where each record starts. */
function eventFile(steps: number): { bytes: Buffer; starts: number[] } {
  const records = [frameRecord(encodeEvent({ wall_time: 100, step: 0, file_version: 'brain.Event:2' }))];
  for (let s = 0; s < steps; s++) {
    records.push(frameRecord(encodeEvent({ wall_time: 100 + s, step: s, summary: { value: [{ tag: 'loss', simple_value: s / 4 }] } })));
  }
  const starts: number[] = [];
  let at = 0;
  for (const r of records) {
    starts.push(at);
    at += r.length;
  }
  return { bytes: Buffer.concat(records), starts };
}

async function readInto(run: Run, name: string, options: ReadOptions = {}): Promise<ReadResult> {
  return tensorboardReader.read(join(dir, name), runSink(run), { displayPath: name, ...options });
}

async function readBytes(name: string, bytes: Uint8Array): Promise<{ run: Run; result: ReadResult }> {
  await writeFile(join(dir, name), bytes);
  const run = createRun(name, 'tensorboard');
  return { run, result: await readInto(run, name) };
}

describe('corrupt and partial event files', () => {
  it('skips a record whose payload CRC fails and reads the records after it', async () => {
    const { bytes, starts } = eventFile(5);
    const bad = starts[2] as number; // the record of step 1
    bytes[bad + 14] = (bytes[bad + 14] as number) ^ 0x01;
    const { run, result } = await readBytes('events.out.tfevents.payload', bytes);
    expect(result.problems).toEqual([
      {
        file: 'events.out.tfevents.payload',
        code: 'bad-crc',
        message: `events.out.tfevents.payload: payload CRC mismatch in the record at byte ${bad} (${(starts[3] as number) - bad - 16}-byte payload); skipped it and read on`,
      },
    ]);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 2, 3, 4]);
    expect(result.cursor.offset).toBe(bytes.length);
    expect(result.records).toBe(5);
  });

  it('stops at a record whose length CRC fails', async () => {
    const { bytes, starts } = eventFile(5);
    const bad = starts[3] as number; // the record of step 2
    bytes[bad + 9] = (bytes[bad + 9] as number) ^ 0x80;
    const { run, result } = await readBytes('events.out.tfevents.length', bytes);
    expect(result.problems.map((p) => p.code)).toEqual(['bad-crc']);
    expect(result.problems[0]?.message).toContain(`length CRC mismatch in the record header at byte ${bad}`);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1]);
    expect(result.cursor.offset).toBe(bad);
  });

  it('reports a header declaring a 2 GiB payload (valid length CRC, sparse file) as a bad record, without allocating it', async () => {
    const { bytes } = eventFile(3);
    const header = Buffer.alloc(12);
    header.writeUInt32LE(0x8000_0000, 0); // 2 GiB
    header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
    const name = 'events.out.tfevents.huge';
    await writeFile(join(dir, name), Buffer.concat([bytes, header]));
    await truncate(join(dir, name), bytes.length + 12 + 0x8000_0010); // sparse: the claimed payload "exists"
    const run = createRun(name, 'tensorboard');
    const before = process.memoryUsage().rss;
    const result = await readInto(run, name);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    expect(result.problems.map((p) => p.code)).toEqual(['bad-record']);
    expect(result.problems[0]?.message).toContain(`record header at byte ${bytes.length} declares a 2147483648-byte payload`);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2]);
    expect(result.cursor.offset).toBe(bytes.length);
    await rm(join(dir, name));
  });

  it('reads a file cut mid-record up to its last whole record, then the rest exactly once', async () => {
    const { bytes, starts } = eventFile(6);
    const cutRecord = starts[4] as number; // the record of step 3
    const cut = cutRecord + 20;
    const name = 'events.out.tfevents.growing';
    const { run, result } = await readBytes(name, bytes.subarray(0, cut));
    const recordBytes = (starts[5] as number) - cutRecord;
    expect(result.problems).toEqual([
      {
        file: name,
        code: 'truncated',
        message: `${name}: incomplete record at byte ${cutRecord} (expected ${recordBytes} bytes, found 20); read up to byte ${cutRecord}`,
      },
    ]);
    expect(result.cursor.offset).toBe(cutRecord);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2]);

    await appendFile(join(dir, name), bytes.subarray(cut));
    const more = await readInto(run, name, { from: result.cursor });
    expect(more.problems).toEqual([]);
    expect(more.records).toBe(3);
    expect(more.cursor.offset).toBe(bytes.length);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.scalars.get('loss')?.values).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('reports a file cut inside a record header as truncated', async () => {
    const { bytes, starts } = eventFile(2);
    const last = starts[2] as number;
    const { result } = await readBytes('events.out.tfevents.header', bytes.subarray(0, last + 5));
    expect(result.problems.map((p) => p.code)).toEqual(['truncated']);
    expect(result.problems[0]?.message).toContain(`incomplete record at byte ${last} (expected at least 16 bytes, found 5)`);
    expect(result.cursor.offset).toBe(last);
  });

  it('reports a text file named like an event file as not an event file', async () => {
    const long = await readBytes('events.out.tfevents.text', new TextEncoder().encode('step,loss\n0,2.3\n1,1.9\n'));
    expect(long.result.problems.map((p) => p.code)).toEqual(['not-event-file']);
    expect(long.result.records).toBe(0);
    expect(long.result.cursor.offset).toBe(0);
    const short = await readBytes('events.out.tfevents.short', new TextEncoder().encode('hello'));
    expect(short.result.problems.map((p) => p.code)).toEqual(['not-event-file']);
  });

  it('reports a first record that is framed but not an Event as not an event file', async () => {
    const { result } = await readBytes('events.out.tfevents.garbage', frameRecord(new Uint8Array([0xff, 0xff, 0xff, 0xff])));
    expect(result.problems.map((p) => p.code)).toEqual(['not-event-file']);
    expect(result.cursor.offset).toBe(0);
  });

  it('skips a later record that is framed but not an Event', async () => {
    const { bytes } = eventFile(2);
    const file = Buffer.concat([bytes, frameRecord(new Uint8Array([0xff, 0xff])), eventFile(3).bytes.subarray(eventFile(3).starts[3])]);
    const { run, result } = await readBytes('events.out.tfevents.badrecord', file);
    expect(result.problems.map((p) => p.code)).toEqual(['bad-record']);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2]);
  });

  it('reads an empty file as zero records without problems', async () => {
    const { run, result } = await readBytes('events.out.tfevents.empty', new Uint8Array());
    expect(result).toEqual({ cursor: { offset: 0, state: { plugins: {} } }, problems: [], records: 0 });
    expect(run.scalars.size).toBe(0);
  });

  it('reports a file shorter than the resume offset', async () => {
    const { bytes } = eventFile(3);
    const { run, result } = await readBytes('events.out.tfevents.shrunk', bytes);
    await writeFile(join(dir, 'events.out.tfevents.shrunk'), bytes.subarray(0, 10));
    const again = await readInto(run, 'events.out.tfevents.shrunk', { from: result.cursor });
    expect(again.problems.map((p) => p.code)).toEqual(['shrunk']);
    expect(again.cursor.offset).toBe(bytes.length);
  });

  it('reports a missing file as unreadable', async () => {
    const run = createRun('x', 'tensorboard');
    const result = await readInto(run, 'missing.tfevents');
    expect(result.problems.map((p) => p.code)).toEqual(['unreadable']);
    expect(result.problems[0]?.message).toContain('ENOENT');
  });

  it('lists at most 20 problems and counts the rest', async () => {
    const { bytes, starts } = eventFile(30);
    for (const at of starts.slice(1)) bytes[at + 14] = (bytes[at + 14] as number) ^ 0x01;
    const { result } = await readBytes('events.out.tfevents.many', bytes);
    expect(result.problems.length).toBe(21);
    expect(result.problems[20]).toEqual({ file: 'events.out.tfevents.many', code: 'more-problems', message: 'events.out.tfevents.many: 10 more problem(s) not listed' });
  });
});

describe('tensor summaries', () => {
  const scalarTensor = (tag: string, step: number, tensor: Record<string, unknown>, plugin?: string): Buffer =>
    frameRecord(encodeEvent({
      wall_time: 5,
      step,
      summary: { value: [{ tag, tensor, ...(plugin ? { metadata: { plugin_data: { plugin_name: plugin } } } : {}) }] },
    }));

  it('reads rank-0 tensors of every numeric dtype, remembering the plugin across reads', async () => {
    const content = (f: (b: Buffer) => void, n: number): Buffer => {
      const b = Buffer.alloc(n);
      f(b);
      return b;
    };
    const head = frameRecord(encodeEvent({ wall_time: 1, file_version: 'brain.Event:2' }));
    const first = Buffer.concat([
      head,
      scalarTensor('a', 0, { dtype: 1, tensor_shape: {}, float_val: [0.5] }, 'scalars'),
      scalarTensor('b', 0, { dtype: 2, tensor_shape: {}, tensor_content: content((b) => b.writeDoubleLE(0.125), 8) }, 'scalars'),
      scalarTensor('c', 0, { dtype: 9, tensor_shape: {}, int64_val: [7] }),
      scalarTensor('d', 0, { dtype: 19, tensor_shape: {}, half_val: [0x3c00] }),
      scalarTensor('e', 0, { dtype: 3, tensor_shape: {}, tensor_content: content((b) => b.writeInt32LE(-4), 4) }),
      scalarTensor('text', 0, { dtype: 7, tensor_shape: {}, string_val: [new TextEncoder().encode('hi')] }, 'text'),
    ]);
    const name = 'events.out.tfevents.tensors';
    const { run, result } = await readBytes(name, first);
    expect(result.problems).toEqual([]);
    const value = (tag: string): number[] | undefined => run.scalars.get(tag)?.values;
    expect([value('a'), value('b'), value('c'), value('d'), value('e')]).toEqual([[0.5], [0.125], [7], [1], [-4]]);
    expect(run.scalars.has('text')).toBe(false);

    // Later values of `a` carry no metadata (as TF1 writes them): still a scalar, also after resuming.
    await appendFile(join(dir, name), scalarTensor('a', 1, { dtype: 1, tensor_shape: { dim: [{ size: 1 }] }, float_val: [0.25] }));
    const more = await readInto(run, name, { from: result.cursor });
    expect(more.problems).toEqual([]);
    expect(value('a')).toEqual([0.5, 0.25]);
  });

  it('reads a record larger than the read chunk', async () => {
    const k = 50_000; // 50k [left, right, count] triples: 1.2 MB of doubles
    const content = Buffer.alloc(k * 24);
    for (let i = 0; i < k; i++) {
      content.writeDoubleLE(i, i * 24);
      content.writeDoubleLE(i + 1, i * 24 + 8);
      content.writeDoubleLE(1, i * 24 + 16);
    }
    const tensor = { dtype: 2, tensor_shape: { dim: [{ size: k }, { size: 3 }] }, tensor_content: content };
    const bytes = Buffer.concat([eventFile(1).bytes, scalarTensor('w', 3, tensor, 'histograms'), eventFile(3).bytes.subarray(eventFile(3).starts[2])]);
    const progress: number[] = [];
    await writeFile(join(dir, 'events.out.tfevents.big'), bytes);
    const run = createRun('big', 'tensorboard');
    const result = await readInto(run, 'events.out.tfevents.big', { onProgress: (b) => progress.push(b) });
    expect(result.problems).toEqual([]);
    const h = run.histograms.get('w')?.histograms[0];
    expect(h?.num).toBe(k);
    expect(h?.min).toBe(0);
    expect(h?.max).toBe(k);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2]);
    expect(progress.at(-1)).toBe(bytes.length);
  });
});
