import { describe, expect, it } from 'vitest';
import type { StateMessage } from '#contracts';
import { StateThrottle } from './state-throttle.js';

const state = (cellId: string, ts: number) => ({ rigId: 'r', cellId, ts }) as StateMessage;

describe('StateThrottle', () => {
  it('sends at most one state per cell per interval, and the latest of a burst when the interval is over', () => {
    let now = 0;
    const sent: string[] = [];
    const throttle = new StateThrottle(
      (s) => sent.push(`${s.cellId}@${s.ts}`),
      1000,
      () => now,
    );
    for (let ts = 0; ts < 100; ts++) {
      throttle.offer(state('a', ts));
      throttle.offer(state('b', ts));
    }
    expect(sent).toEqual(['a@0', 'b@0']);
    now = 999;
    throttle.flush();
    expect(sent).toHaveLength(2);
    now = 1000;
    throttle.flush();
    expect(sent).toEqual(['a@0', 'b@0', 'a@99', 'b@99']);
    throttle.offer(state('a', 100));
    throttle.stop();
    expect(sent.at(-1)).toBe('a@100');
  });
});
