import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAll } from './drive.js';
import { parseColumnMap, readGenericCsv } from './generic-csv.js';
import { ReaderError, type ReplaySample } from './types.js';

const value = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const row = fc.record({
  time: value,
  voltage: value,
  current: value,
  temperature: fc.option(value, { nil: undefined }),
  pressure: value,
});
type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;

const fileShape = fc.record({
  rows: fc.array(row, { minLength: 1, maxLength: 40 }),
  delimiter: fc.constantFrom(',', ';', '\t'),
  header: fc.boolean(),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  currentUnit: fc.constantFrom('A', 'mA', 'uA'),
  withTemperature: fc.boolean(),
  withPressure: fc.boolean(),
  /** Column order: a permutation of the written quantities. */
  order: fc.shuffledSubarray(['time', 'voltage', 'current', 'temperature', 'pressure'] as const, {
    minLength: 5,
    maxLength: 5,
  }),
  blankAfter: fc.option(fc.nat(), { nil: undefined }),
});

type Shape = typeof fileShape extends fc.Arbitrary<infer S> ? S : never;

const divideBy: Record<string, number> = { A: 1, mA: 1000, uA: 1e6 };

/** Samples as they go out over MQTT (JSON has no -0). */
function json(samples: ReplaySample[]): unknown {
  return JSON.parse(JSON.stringify(samples));
}

/** The text of a file of this shape, its column map and the samples it must read as. */
function build(shape: Shape): { text: string; map: string; expected: ReplaySample[]; dataLines: number[] } {
  const columns = shape.order.filter(
    (q) => (q !== 'temperature' || shape.withTemperature) && (q !== 'pressure' || shape.withPressure),
  );
  const names: Record<string, string> = {
    time: 'Time (s)',
    voltage: 'Voltage (V)',
    current: `Current (${shape.currentUnit})`,
    temperature: 'Temperature (C)',
    pressure: 'Pressure (MPa)',
  };
  const map = columns
    .map((q, k) => (q === 'current' ? `current=${k + 1}:${shape.currentUnit}` : `${q}=${k + 1}`))
    .join(',');
  const lines: string[] = [];
  const dataLines: number[] = [];
  if (shape.header) lines.push(columns.map((q) => names[q]).join(shape.delimiter));
  const rows = shape.rows.map((r: Row) => {
    const z = (x: number): number => (Object.is(x, -0) ? 0 : x);
    const t = r.temperature === undefined ? undefined : z(r.temperature);
    return {
      time: z(r.time),
      voltage: z(r.voltage),
      current: z(r.current),
      temperature: t,
      pressure: z(r.pressure),
    };
  });
  rows.forEach((r: Row, k) => {
    const text: Record<string, string> = {
      time: String(r.time),
      voltage: String(r.voltage),
      current: String(r.current),
      temperature: r.temperature === undefined ? '' : String(r.temperature),
      pressure: String(r.pressure),
    };
    lines.push(columns.map((q) => text[q]).join(shape.delimiter));
    dataLines.push(lines.length);
    if (
      shape.blankAfter !== undefined &&
      shape.blankAfter % shape.rows.length === k &&
      k < shape.rows.length - 1
    ) {
      lines.push('');
    }
  });
  const t0 = rows[0]!.time;
  const expected = rows.map((r: Row) => {
    const sample: ReplaySample = {
      time_s: r.time - t0,
      v: r.voltage,
      i: r.current / divideBy[shape.currentUnit]!,
    };
    if (shape.withTemperature && r.temperature !== undefined) sample.t = r.temperature;
    if (shape.withPressure) sample.p = r.pressure;
    return sample;
  });
  const text =
    (shape.bom ? '\uFEFF' : '') + lines.join(shape.crlf ? '\r\n' : '\n') + (shape.crlf ? '\r\n' : '\n');
  return { text, map, expected, dataLines };
}

/** Bytes in chunks of a random size, so lines and characters straddle chunk edges. */
function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let k = 0; k < bytes.length; k += size) chunks.push(bytes.subarray(k, k + size));
  return Readable.from(chunks);
}

describe('generic CSV reader', () => {
  it('reads back any file it is given a correct map for (any delimiter, header or not, BOM, CRLF, units, order)', async () => {
    await fc.assert(
      fc.asyncProperty(fileShape, fc.integer({ min: 1, max: 64 }), async (shape, chunkSize) => {
        const { text, map, expected } = build(shape);
        const reader = readGenericCsv(chunked(text, chunkSize), { map, header: shape.header });
        expect(json(await readAll(reader))).toEqual(json(expected));
        expect(reader.summary.skipped).toEqual(
          text.includes('\n\n') || text.includes('\r\n\r\n') ? { 'blank line': 1 } : {},
        );
        expect(reader.summary.rows).toBe(shape.rows.length);
      }),
      { numRuns: 150 },
    );
  });

  it('detects the header line when not told', async () => {
    await fc.assert(
      fc.asyncProperty(fileShape, async (shape) => {
        const { text, map, expected } = build(shape);
        const reader = readGenericCsv(Readable.from([text]), { map });
        expect(json(await readAll(reader))).toEqual(json(expected));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a garbled value with its line number and yields only the rows before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileShape,
        fc.nat(),
        fc.constantFrom('abc', 'NaN', '1.2.3', '', 'Infinity', '--1'),
        async (shape, pick, garbage) => {
          const { text, map, expected, dataLines } = build(shape);
          const bad = pick % shape.rows.length;
          const lineNo = dataLines[bad]!;
          const lines = text.split(shape.crlf ? '\r\n' : '\n');
          const columns = lines[lineNo - 1]!.split(shape.delimiter);
          const voltageColumn = Number(/voltage=(\d+)/.exec(map)![1]) - 1;
          columns[voltageColumn] = garbage;
          lines[lineNo - 1] = columns.join(shape.delimiter);
          const reader = readGenericCsv(Readable.from([lines.join('\n')]), { map, header: shape.header });
          const got: ReplaySample[] = [];
          const error = await (async () => {
            try {
              for await (const batch of reader) got.push(...batch);
            } catch (e) {
              return e;
            }
            return undefined;
          })();
          expect(error).toBeInstanceOf(ReaderError);
          expect((error as ReaderError).line).toBe(lineNo);
          expect((error as ReaderError).message).toContain(`line ${lineNo}`);
          expect(json(got)).toEqual(json(expected.slice(0, bad)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads columns by header name, quoted names and values included', async () => {
    const text = '"Time, s",Volts,"I (mA)",Cell T\n0,3.5,"1,5",25\n2,3.6,-2,26\n';
    const read = readGenericCsv(Readable.from([text]), {
      map: {
        time: { column: 'Time, s' },
        voltage: { column: 'Volts' },
        current: { column: 'I (mA)' },
        temperature: { column: 'Cell T' },
      },
    });
    // "1,5" is a quoted field with a comma: not a number in a comma-separated file.
    await expect(readAll(read)).rejects.toThrow(/line 2: current '1,5' is not a number/);
    const clean = text.replace('"1,5"', '1.5');
    const ok = readGenericCsv(Readable.from([clean]), {
      map: {
        time: { column: 'Time, s' },
        voltage: { column: 'Volts' },
        current: { column: 'I (mA)' },
        temperature: { column: 'Cell T' },
      },
    });
    expect(await readAll(ok)).toEqual([
      { time_s: 0, v: 3.5, i: 0.0015, t: 25 },
      { time_s: 2, v: 3.6, i: -0.002, t: 26 },
    ]);
    expect(ok.summary.columns.current).toBe('I (mA)');
  });

  it('flips the current for files that count discharge as positive', async () => {
    const reader = readGenericCsv(Readable.from(['0,4.1,3\n1,4.0,3\n']), {
      map: 'time=1,voltage=2,current=3:-A',
    });
    expect((await readAll(reader)).map((s) => s.i)).toEqual([-3, -3]);
  });

  it('parses column maps and refuses malformed ones', () => {
    expect(parseColumnMap('time=1,voltage=Ewe (V),current=2:mA,temperature=5:K,pressure=6:bar')).toEqual({
      time: { column: 1 },
      voltage: { column: 'Ewe (V)' },
      current: { column: 2, unit: 'mA' },
      temperature: { column: 5, unit: 'K' },
      pressure: { column: 6, unit: 'bar' },
    });
    expect(() => parseColumnMap('voltage=2,current=3')).toThrow(RangeError);
    expect(() => parseColumnMap('time=0,voltage=2')).toThrow(/1-based/);
    expect(() => parseColumnMap('time=1,voltage=2,current=3:furlongs')).toThrow(/unknown current unit/);
    expect(() => parseColumnMap('time=1,voltage=2:-V')).toThrow(/only current/);
    expect(() => parseColumnMap('time=1,volts=2')).toThrow(/unknown column map key/);
  });

  it('converts units: K to °C, bar to MPa, minutes to seconds', async () => {
    const reader = readGenericCsv(Readable.from(['0,3.5,0,298.15,10\n1.5,3.5,0,300.15,12\n']), {
      map: 'time=1:min,voltage=2,current=3,temperature=4:K,pressure=5:bar',
    });
    const samples = await readAll(reader);
    expect(samples[1]!.time_s).toBe(90);
    expect(samples[0]!.t).toBeCloseTo(25, 10);
    expect(samples[1]!.p).toBeCloseTo(1.2, 12);
  });
});
