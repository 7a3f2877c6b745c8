import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeadLetterFile, deadLetterPayload, type DeadLetter } from './dead-letter-file.js';

const root = mkdtempSync(path.join(tmpdir(), 'sandglass-dead-letters-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const letter = (n: number): DeadLetter => ({
  at: n,
  reason: 'bad-json',
  detail: 'Unexpected token',
  topic: 'sandglass/v1/r/c/telemetry',
  ...deadLetterPayload(Buffer.from(`{"ts": ${n}, oops`)),
});

const read = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DeadLetter);

describe('DeadLetterFile', () => {
  it('writes each letter as one JSON line on flush, payload as received', () => {
    const dir = path.join(root, 'plain');
    const file = new DeadLetterFile({ dir, maxBytes: 1e6 });
    file.add(letter(1));
    file.add(letter(2));
    file.flush();
    expect(read(file.file)).toEqual([letter(1), letter(2)]);
    expect(read(file.file)[0]!.payload).toBe('{"ts": 1, oops');
    expect(file.written).toBe(2);
  });

  it('keeps binary payloads as base64 and cuts oversized ones', () => {
    expect(deadLetterPayload(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({ payloadBase64: '//4A' });
    const big = deadLetterPayload(Buffer.alloc(300 * 1024, 'a'));
    expect(big.truncated).toBe(true);
    expect(big.payload).toHaveLength(256 * 1024);
  });

  it('stays within its bound on disk by rotating, and in memory by dropping (counted)', () => {
    const dir = path.join(root, 'bounded');
    const file = new DeadLetterFile({ dir, maxBytes: 4000, bufferBytes: 1000 });
    for (let round = 0; round < 20; round++) {
      for (let n = 0; n < 20; n++) file.add(letter(round * 100 + n));
      file.flush();
    }
    const onDisk = statSync(file.file).size + statSync(`${file.file}.1`).size;
    expect(onDisk).toBeLessThanOrEqual(4000);
    expect(file.dropped).toBeGreaterThan(0);
    // the newest letters are the ones kept
    expect(read(file.file).at(-1)!.at).toBe(19 * 100 + (read(file.file).at(-1)!.at % 100));
    expect(file.written + file.dropped).toBe(400);
  });
});
