import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanSamples } from './sample-scan.js';
import { decodeTelemetry, SCAN_LIMITS, TS_MIN_MS } from './sample.js';

// decodeTelemetry reads bytes through the scanner first and strings through JSON.parse + checkSample
// only, so the two paths are compared by decoding the same text as bytes and as a string.
const bothPaths = (text: string) => [decodeTelemetry(Buffer.from(text)), decodeTelemetry(text)];

/** JSON number text of every shape: signs, leading digits, fractions, exponents, long mantissas. */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.integer({ min: TS_MIN_MS, max: TS_MIN_MS + 1e12 }).map(String),
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.stringMatching(/^(0|[1-9][0-9]{0,20})$/),
      fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
      fc.option(
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })),
        {
          nil: undefined,
        },
      ),
    )
    .map(
      ([sign, int, frac, exp]) =>
        sign + int + (frac === undefined ? '' : '.' + frac) + (exp === undefined ? '' : exp.join('')),
    ),
  // Not JSON numbers: the scanner must leave them to JSON.parse.
  fc.constantFrom('01', '-', '1.', '.5', '+1', '1e', '1.5.2', '0x10', 'NaN', 'Infinity', '1e999'),
);

const valueText = fc.oneof(
  { weight: 8, arbitrary: numberText },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', '"2"', '[]', '{}') },
);

const keyText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('ts', 'v', 'i', 't', 'p', 'seq', 'cycle', 'step') },
  { weight: 1, arbitrary: fc.constantFrom('x', 's', 'tss', 'se', '', '\\u0074s', 'T', 'steps') },
);

const space = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');

/** A valid sample's text in any key order and spacing, optional fields as numbers or null. */
const validObject = fc
  .tuple(
    fc.integer({ min: TS_MIN_MS, max: TS_MIN_MS + 1e11 }),
    fc.double({ min: -5, max: 5, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
    fc.option(fc.double({ min: -100, max: 1000, noNaN: true })),
    fc.option(fc.double({ min: 0, max: 10_000, noNaN: true })),
    fc.option(fc.nat()),
    fc.option(fc.nat()),
    fc.option(fc.nat()),
    fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    space,
  )
  .map(([ts, v, i, t, p, seq, cycle, step, order, ws]) => {
    const fields = Object.entries({ ts, v, i, t, p, seq, cycle, step })
      .map(([k, x], n) => ({ text: `"${k}"${ws}:${ws}${JSON.stringify(x)}`, order: order[n]!, x }))
      .filter((f, n) => n < 3 || f.x !== null || f.order % 2 === 0)
      .sort((a, b) => a.order - b.order);
    return `{${ws}${fields.map((f) => f.text).join(`${ws},`)}${ws}}`;
  });

/** Valid fields, then some more that may be anything. */
const plausibleObject = fc
  .tuple(validObject, fc.array(fc.tuple(keyText, valueText), { maxLength: 3 }))
  .map(([valid, extra]) => valid.slice(0, -1) + extra.map(([k, x]) => `,"${k}":${x}`).join('') + '}');

/** Anything built of keys and values, in any order, with repeats and missing fields. */
const anyObject = fc
  .tuple(fc.array(fc.tuple(keyText, valueText, space), { maxLength: 9 }), space)
  .map(([fields, ws]) => `{${ws}${fields.map(([k, x, s]) => `"${k}"${s}:${s}${x}`).join(',')}${ws}}`);

const objectText = fc.oneof(
  { weight: 4, arbitrary: validObject },
  { weight: 1, arbitrary: plausibleObject },
  { weight: 1, arbitrary: anyObject },
);

const arrayOf = (objects: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.array(objects, { maxLength: 20 }), space)
    .map(([items, ws]) => `${ws}[${ws}${items.join(`,${ws}`)}${ws}]${ws}`);

const payloadText = fc.oneof(objectText, arrayOf(validObject), arrayOf(objectText));

describe('the telemetry scanner', () => {
  it('decodes bytes exactly as JSON.parse and checkSample decode the same text', () => {
    let scanned = 0;
    fc.assert(
      fc.property(payloadText, (text) => {
        const [bytes, string] = bothPaths(text);
        // toStrictEqual compares numbers with Object.is: -0 and 0 differ, every bit of a double counts.
        expect(bytes).toStrictEqual(string);
        if (scanSamples(Buffer.from(text), SCAN_LIMITS)) scanned++;
      }),
      { numRuns: 3000 },
    );
    // The comparison is only worth something if the scanner itself decoded a good share of them.
    expect(scanned).toBeGreaterThan(300);
  });

  it('agrees on damaged payloads (truncated, a byte changed)', () => {
    fc.assert(
      fc.property(payloadText, fc.nat(), fc.integer({ min: 0, max: 127 }), (text, at, code) => {
        const cut = text.slice(0, at % (text.length + 1));
        const [cutBytes, cutString] = bothPaths(cut);
        expect(cutBytes).toStrictEqual(cutString);
        const k = at % Math.max(1, text.length);
        const changed = text.slice(0, k) + String.fromCharCode(code) + text.slice(k + 1);
        const [changedBytes, changedString] = bothPaths(changed);
        expect(changedBytes).toStrictEqual(changedString);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads numbers to the same double as JSON.parse, long mantissas and exponents included', () => {
    for (const x of [
      '0.020009999999999997',
      '1767225600000.5',
      '123456789012345678901234567890',
      '9007199254740993',
      '4.9406564584124654e-324',
      '1.7976931348623157e308',
      '0.1e-5',
      '-0',
      '-0.0',
      '2.2250738585072011e-308',
      '1e22',
      '1e23',
      '123456789012345e-22',
    ]) {
      const [bytes, string] = bothPaths(`{"ts":${TS_MIN_MS},"v":0,"i":0,"p":null,"t":${x}}`);
      expect(bytes, x).toStrictEqual(string);
    }
  });
});
