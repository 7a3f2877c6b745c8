import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS, buildTopic, isValidId, parseTopic } from './topics.js';

const idChar = fc.constantFrom(...'abcXYZ019_.-'.split(''));
const id = fc.string({ unit: idChar, minLength: 1, maxLength: 64 }).filter((s) => s !== '.' && s !== '..');

describe('topics', () => {
  it('round-trips build and parse for every valid id and channel', () => {
    fc.assert(
      fc.property(id, id, fc.constantFrom(...CHANNELS), (rigId, cellId, channel) => {
        expect(parseTopic(buildTopic(rigId, cellId, channel))).toEqual({ rigId, cellId, channel });
      }),
    );
  });

  it('rejects ids with other characters or lengths', () => {
    expect(() => buildTopic('rig 1', 'c', 'telemetry')).toThrow(RangeError);
    expect(() => buildTopic('r', 'x'.repeat(65), 'telemetry')).toThrow(RangeError);
    expect(() => buildTopic('', 'c', 'state')).toThrow(RangeError);
  });

  it('refuses `.` and `..` as ids (path and URL segments), but accepts dots inside an id', () => {
    expect(isValidId('.')).toBe(false);
    expect(isValidId('..')).toBe(false);
    expect(parseTopic('sandglass/v1/../c/telemetry')).toBeUndefined();
    expect(parseTopic('sandglass/v1/r/./telemetry')).toBeUndefined();
    expect(isValidId('...')).toBe(true);
    expect(isValidId('.hidden')).toBe(true);
    expect(isValidId('cell.01')).toBe(true);
  });

  it('parses nothing that is not a v1 topic with valid parts', () => {
    for (const topic of [
      'sandglass/v2/r/c/telemetry',
      'sandglass/v1/r/c/other',
      'sandglass/v1/r/c',
      'sandglass/v1/r/c/telemetry/x',
      'sandglass/v1/r#/c/telemetry',
      'sandglass/v1/+/c/telemetry',
    ]) {
      expect(parseTopic(topic)).toBeUndefined();
    }
  });
});
