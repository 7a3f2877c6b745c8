import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertEvent, Silence } from '#contracts';
import { SilenceRefused, SilenceStore, silences } from './silences.js';

const alert: AlertEvent = {
  id: 'a1',
  ts: 0,
  rigId: 'rig-01',
  cellId: 'ch-03',
  kind: 'soft-short',
  severity: 'warning',
  state: 'raised',
  source: 'physics',
  message: '',
  evidence: {},
};
const silence = (matchers: Silence['matchers'], endsAt = 2000): Silence => ({
  id: 's',
  createdAt: 0,
  matchers,
  endsAt,
});

describe('silences', () => {
  it('matches on every given field, until its end time', () => {
    expect(silences(silence({}), alert, 1000)).toBe(true);
    expect(silences(silence({ rigId: 'rig-01', kind: 'soft-short' }), alert, 1000)).toBe(true);
    expect(silences(silence({ rigId: 'rig-01', kind: 'hard-short' }), alert, 1000)).toBe(false);
    expect(silences(silence({ cellId: 'ch-04' }), alert, 1000)).toBe(false);
    expect(silences(silence({ severity: 'critical' }), alert, 1000)).toBe(false);
    expect(silences(silence({}, 2000), alert, 2000)).toBe(false);
  });

  it('are kept across a restart, dropped once over, and refused when already over or too long', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-silences-'));
    let now = 1_000_000;
    const store = new SilenceStore(dir, () => now);
    store.open();
    const s = store.add({ matchers: { rigId: 'rig-01' }, endsAt: now + 60_000, comment: 'maintenance' });
    expect(() => store.add({ matchers: {}, endsAt: now - 1 })).toThrow(SilenceRefused);
    expect(() => store.add({ matchers: {}, endsAt: now + 31 * 24 * 3600 * 1000 })).toThrow(SilenceRefused);
    const again = new SilenceStore(dir, () => now);
    again.open();
    expect(again.active().map((x) => x.id)).toEqual([s.id]);
    expect(again.matching(alert)?.id).toBe(s.id);
    now += 60_000;
    expect(again.active()).toEqual([]);
    expect(again.matching(alert)).toBeUndefined();
    expect(again.remove(s.id)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
