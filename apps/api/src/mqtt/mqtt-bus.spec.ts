import { describe, expect, it } from 'vitest';
import { topicMatches } from './mqtt-bus.js';

describe('topicMatches', () => {
  it('matches + as exactly one level', () => {
    expect(topicMatches('sandglass/v1/+/+/state', 'sandglass/v1/rig-01/ch-03/state')).toBe(true);
    expect(topicMatches('sandglass/v1/+/+/state', 'sandglass/v1/rig-01/ch-03/alerts')).toBe(false);
    expect(topicMatches('sandglass/v1/+/+/state', 'sandglass/v1/rig-01/state')).toBe(false);
    expect(topicMatches('sandglass/v1/+/+/state', 'sandglass/v1/rig-01/ch-03/state/x')).toBe(false);
  });

  it('matches # as the rest, including the parent level', () => {
    expect(topicMatches('sandglass/#', 'sandglass/v1/a/b/state')).toBe(true);
    expect(topicMatches('sandglass/v1/#', 'sandglass/v1')).toBe(true);
    expect(topicMatches('sandglass/v1/#', 'other/v1/a')).toBe(false);
  });

  it('matches literal filters exactly', () => {
    expect(topicMatches('a/b', 'a/b')).toBe(true);
    expect(topicMatches('a/b', 'a/bc')).toBe(false);
  });
});
