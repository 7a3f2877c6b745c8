import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellSequencer } from './cell-sequencer.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (k: number, seq = k) => ({ ts: T0 + k * 1000, v: 0, i: 0, seq });

describe('CellSequencer', () => {
  it('admits an ordered stream as next', () => {
    const s = new CellSequencer();
    expect([0, 1, 2, 3].map((k) => s.admit(at(k)))).toEqual(['next', 'next', 'next', 'next']);
    expect(s.run).toBe(0);
  });

  it('drops a repeated seq, also when it comes back late', () => {
    const s = new CellSequencer();
    for (let k = 0; k < 10; k++) s.admit(at(k));
    expect(s.admit(at(9))).toBe('duplicate');
    expect(s.admit(at(3))).toBe('duplicate');
    expect(s.admit(at(10))).toBe('next');
  });

  it('tolerates small reordering as late samples', () => {
    const s = new CellSequencer();
    expect(s.admit(at(0))).toBe('next');
    expect(s.admit(at(2))).toBe('next');
    expect(s.admit(at(1))).toBe('late');
    expect(s.admit(at(3))).toBe('next');
    expect(s.run).toBe(0);
  });

  it('starts a new run on a large backward jump in data time and forgets old seqs', () => {
    const s = new CellSequencer({ newRunBackward_ms: 60_000 });
    for (let k = 0; k < 600; k++) s.admit(at(k));
    expect(s.admit(at(0))).toBe('new-run');
    expect(s.run).toBe(1);
    // seq 1 belonged to the old run: in the new one it is fresh.
    expect(s.admit(at(1))).toBe('next');
    expect(s.admit(at(1))).toBe('duplicate');
  });

  it('treats a seq counter reset far below its maximum as fresh values', () => {
    const s = new CellSequencer({ seqWindow: 16 });
    for (let k = 0; k < 100; k++) s.admit(at(k));
    expect(s.admit(at(100, 0))).toBe('next');
    expect(s.admit(at(101, 1))).toBe('next');
  });

  it('admits samples without seq', () => {
    const s = new CellSequencer();
    expect(s.admit({ ts: T0, v: 0, i: 0 })).toBe('next');
    expect(s.admit({ ts: T0, v: 0, i: 0 })).toBe('next');
  });

  it('never admits the same seq twice within the window, whatever the order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }), (seqs) => {
        const s = new CellSequencer({ seqWindow: 1000 });
        const admitted = seqs.filter((seq) => s.admit({ ts: T0 + seq, v: 0, i: 0, seq }) !== 'duplicate');
        expect(new Set(admitted).size).toBe(admitted.length);
        expect(new Set(admitted)).toEqual(new Set(seqs));
      }),
    );
  });
});

describe('CellSequencer checkpoints', () => {
  it('a restored sequencer admits the rest of a stream exactly as the original (seqs kept as ranges)', () => {
    const stream = Array.from({ length: 6000 }, (_, k) => ({ ts: 1e12 + k * 1000, v: 1, i: 0, seq: k }));
    // Duplicates, a late sample and a new run after the cut.
    const rest = [stream[4990]!, stream[5500]!, { ...stream[5600]!, seq: 9999 }, stream[5601]!, stream[10]!];
    const straight = new CellSequencer();
    const cut = new CellSequencer();
    for (const s of stream.slice(0, 5000)) {
      straight.admit(s);
      cut.admit(s);
    }
    const snapshot = JSON.parse(JSON.stringify(cut.snapshot())) as ReturnType<CellSequencer['snapshot']>;
    expect(JSON.stringify(snapshot).length).toBeLessThan(300);
    const restored = new CellSequencer();
    restored.restore(snapshot);
    const tail = [...stream.slice(5000, 5700), ...rest];
    expect(tail.map((s) => restored.admit(s))).toEqual(tail.map((s) => straight.admit(s)));
    expect(() => new CellSequencer({ seqWindow: 16 }).restore(snapshot)).toThrow(/seq window/);
  });
});
