import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { frameRecord, headerLength, maskedCrc32c } from './records.js';

const LINEAR = new URL(
  '../../../examples/real-logs/tensorboardx_2018_demo/runs/Aug29_15-34-06_DESKTOP-4D03LNHLinear/events.out.tfevents.1535528046.DESKTOP-4D03LNH',
  import.meta.url,
);

describe('masked CRC-32C', () => {
  it('matches the checksums stored in a real tensorboardX event file', async () => {
    const bytes = new Uint8Array(await readFile(LINEAR));
    // First record: length 9 (bytes 0-7), masked CRC 0x3971f937 (bytes 8-11), payload, CRC 0x0629675d.
    expect(maskedCrc32c(bytes.subarray(0, 8))).toBe(0x3971f937);
    expect(maskedCrc32c(bytes.subarray(12, 21))).toBe(0x0629675d);
    expect(headerLength(bytes, 0)).toBe(9);
  });

  it('masks the standard CRC-32C check value', () => {
    // crc32c('123456789') = 0xE3069283; masked: rotate right by 15, add 0xA282EAD8 (mod 2^32).
    const c = 0xe3069283;
    const expected = ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(expected);
  });
});

describe('frameRecord', () => {
  it('frames a payload as length, length CRC, payload, payload CRC', () => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const record = frameRecord(payload);
    expect(record.length).toBe(21);
    expect(headerLength(record, 0)).toBe(5);
    expect([...record.subarray(12, 17)]).toEqual([1, 2, 3, 4, 5]);
    expect(record.readUInt32LE(17)).toBe(maskedCrc32c(payload));
  });

  it('rejects a header whose length CRC does not match', () => {
    const record = frameRecord(new Uint8Array([7]));
    record[9] = (record[9] as number) ^ 0xff;
    expect(headerLength(record, 0)).toBeNull();
  });
});
