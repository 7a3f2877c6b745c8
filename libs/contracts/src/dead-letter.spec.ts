import { describe, expect, it } from 'vitest';
import { deadLetterMessage, type DeadLetter } from './dead-letter.js';

const base: DeadLetter = { at: 1, reason: 'bad-json', detail: 'x', topic: 'sandglass/v1/r/c/telemetry' };

describe('deadLetterMessage', () => {
  it('replays a whole refused message as received, text or binary', () => {
    expect(deadLetterMessage({ ...base, payload: '{"ts":1' })).toEqual({
      topic: base.topic,
      payload: Buffer.from('{"ts":1'),
    });
    expect(deadLetterMessage({ ...base, payloadBase64: '//4A' })).toEqual({
      topic: base.topic,
      payload: Buffer.from([0xff, 0xfe, 0x00]),
    });
  });

  it('replays only the refused elements of an array whose other samples were stored', () => {
    const letter = {
      ...base,
      payload: JSON.stringify([{ ts: 1 }, { ts: 2, v: 'x' }, { ts: 3 }, { ts: 4, v: null }]),
      rejected: [
        { index: 1, reason: 'bad-type', detail: '' },
        { index: 3, reason: 'missing-field', detail: '' },
      ],
    };
    const message = deadLetterMessage(letter);
    expect('payload' in message && JSON.parse(message.payload.toString())).toEqual([
      { ts: 2, v: 'x' },
      { ts: 4, v: null },
    ]);
  });

  it('refuses to replay a payload that was cut', () => {
    expect(deadLetterMessage({ ...base, payload: '[', truncated: true })).toHaveProperty('skip');
  });
});
