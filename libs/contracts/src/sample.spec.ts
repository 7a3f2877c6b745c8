import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  MAX_SAMPLES_PER_MESSAGE,
  SAMPLE_LIMITS,
  SampleSchema,
  TS_MAX_MS,
  TS_MIN_MS,
  checkSample,
  decodeTelemetry,
  type Sample,
} from './sample.js';

const within = (key: keyof typeof SAMPLE_LIMITS) =>
  fc.double({ min: SAMPLE_LIMITS[key].min, max: SAMPLE_LIMITS[key].max, noNaN: true });
const counter = fc.integer({ min: 0, max: 1e9 });

const validSample: fc.Arbitrary<Sample> = fc.record(
  {
    ts: fc.double({ min: TS_MIN_MS, max: TS_MAX_MS, noNaN: true }),
    v: within('v'),
    i: within('i'),
    t: within('t'),
    p: within('p'),
    seq: counter,
    cycle: counter,
    step: counter,
  },
  { requiredKeys: ['ts', 'v', 'i'] },
);

/** Each invalid class, made from a valid sample, with the reason code it must get. */
const invalidSample = fc.oneof(
  validSample.chain((s) =>
    fc.constantFrom('ts', 'v', 'i').map((f) => {
      const copy: Record<string, unknown> = { ...s };
      delete copy[f];
      return { value: copy, reason: 'missing-field' };
    }),
  ),
  validSample.chain((s) =>
    fc
      .tuple(fc.constantFrom('ts', 'v', 'i', 't', 'p', 'seq'), fc.constantFrom('1.0', true, [], {}))
      .map(([f, bad]) => ({ value: { ...s, [f]: bad }, reason: 'bad-type' })),
  ),
  validSample.chain((s) =>
    fc
      .tuple(fc.constantFrom('ts', 'v', 'i', 't', 'p'), fc.constantFrom(Infinity, -Infinity, NaN))
      .map(([f, bad]) => ({ value: { ...s, [f]: bad }, reason: 'not-finite' })),
  ),
  validSample.chain((s) =>
    fc
      .tuple(fc.constantFrom('v', 'i', 't', 'p'), fc.constantFrom(1e6, -1e6))
      .map(([f, bad]) => ({ value: { ...s, [f]: bad }, reason: 'out-of-range' })),
  ),
  validSample.chain((s) =>
    fc
      .constantFrom(-1, 1.5)
      .chain((bad) =>
        fc
          .constantFrom('seq', 'cycle', 'step')
          .map((f) => ({ value: { ...s, [f]: bad }, reason: 'out-of-range' })),
      ),
  ),
  validSample.chain((s) =>
    fc
      .oneof(
        fc.double({ min: 0, max: TS_MIN_MS - 1, noNaN: true }),
        fc.double({ min: TS_MAX_MS + 1, max: 1e15, noNaN: true }),
      )
      .map((ts) => ({ value: { ...s, ts }, reason: 'ts-out-of-range' })),
  ),
  fc
    .constantFrom(42, 'text', null, [1, 2], true)
    .map((value) => ({ value: value as unknown, reason: 'not-object' })),
);

describe('checkSample', () => {
  it('accepts every valid sample unchanged', () => {
    fc.assert(
      fc.property(validSample, (s) => {
        expect(checkSample(s)).toEqual({ ok: true, sample: s });
      }),
    );
  });

  it('rejects each invalid class with its own reason code', () => {
    fc.assert(
      fc.property(invalidSample, ({ value, reason }) => {
        const check = checkSample(value);
        expect(check.ok).toBe(false);
        if (!check.ok) expect(check.reason).toBe(reason);
      }),
    );
  });

  it('agrees with SampleSchema on valid and invalid samples', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          validSample,
          invalidSample.map((x) => x.value),
        ),
        (value) => {
          expect(checkSample(value).ok).toBe(SampleSchema.safeParse(value).success);
        },
      ),
    );
  });

  it('drops unknown fields', () => {
    expect(checkSample({ ts: TS_MIN_MS + 1, v: 1, i: 0, extra: 'x' })).toEqual({
      ok: true,
      sample: { ts: TS_MIN_MS + 1, v: 1, i: 0 },
    });
  });
});

describe('decodeTelemetry', () => {
  it('decodes one sample object', () => {
    const s = { ts: 1764032400123.5, v: 0.0123, i: 0.00113, t: 25.1, p: 5, seq: 1234 };
    expect(decodeTelemetry(JSON.stringify(s))).toEqual({ ok: true, samples: [s], rejected: [] });
  });

  it('keeps the good samples of a mixed array, in order, and names each bad one', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            validSample.map((s) => ({ good: true, value: s as unknown })),
            invalidSample.map((x) => ({ good: false, value: x.value })),
          ),
          {
            minLength: 1,
            maxLength: 50,
          },
        ),
        (items) => {
          // JSON cannot carry NaN/Infinity; encode them as an overflowing literal, which parses to Infinity.
          const text = JSON.stringify(
            items.map((x) => x.value),
            (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? '__INF__' : v),
          ).replaceAll('"__INF__"', '1e999');
          const decoded = decodeTelemetry(Buffer.from(text));
          expect(decoded.ok).toBe(true);
          if (!decoded.ok) return;
          // -0 does not survive JSON; compare with what JSON carries.
          expect(decoded.samples).toEqual(
            JSON.parse(JSON.stringify(items.filter((x) => x.good).map((x) => x.value))),
          );
          expect(decoded.rejected.map((r) => r.index)).toEqual(
            items.flatMap((x, index) => (x.good ? [] : [index])),
          );
        },
      ),
    );
  });

  it('rejects unreadable messages whole', () => {
    expect(decodeTelemetry('{"ts": 1')).toMatchObject({ ok: false, reason: 'bad-json' });
    expect(decodeTelemetry(Buffer.from([0xff, 0x00, 0x13]))).toMatchObject({ ok: false, reason: 'bad-json' });
    expect(decodeTelemetry('[]')).toMatchObject({ ok: false, reason: 'empty' });
    expect(decodeTelemetry('"x"')).toMatchObject({ ok: false, reason: 'not-object' });
    expect(decodeTelemetry(' '.repeat(MAX_PAYLOAD_BYTES + 1))).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    const many = JSON.stringify(Array.from({ length: MAX_SAMPLES_PER_MESSAGE + 1 }, () => 0));
    expect(decodeTelemetry(many)).toMatchObject({ ok: false, reason: 'too-large' });
  });
});
