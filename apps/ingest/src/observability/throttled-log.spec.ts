import { describe, expect, it } from 'vitest';
import { ThrottledLog } from './throttled-log.js';

describe('ThrottledLog', () => {
  it('logs each kind at most once per interval and says how many it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new ThrottledLog(
      { warn: (l) => lines.push(`W ${l}`), error: (l) => lines.push(`E ${l}`) },
      60_000,
      () => now,
    );
    log.warn('rejected:bad-json', 'a');
    log.warn('rejected:bad-json', 'b');
    log.error('detector-error', 'c');
    now = 59_999;
    log.warn('rejected:bad-json', 'd');
    now = 60_000;
    log.warn('rejected:bad-json', 'e');
    expect(lines).toEqual(['W a', 'E c', 'W e (2 more of this kind not logged since the last line)']);
  });
});
