import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePresent, inCi, sharedFixturesDir } from '../support/fixtures.js';

// The guard the real-fixture tests call instead of a bare existsSync: skip on a laptop, fail in CI.
describe('real-fixture tests in CI', () => {
  const missing = path.join(sharedFixturesDir, 'no-such-dir', 'mb.mpt');

  it('skip (false) when a fixture is missing outside CI', () => {
    expect(fixturePresent(missing, {})).toBe(false);
    expect(fixturePresent(missing, { CI: 'false' })).toBe(false);
  });

  it('fail (throw, naming the file) when a fixture is missing and CI is set', () => {
    expect(() => fixturePresent(missing, { CI: 'true' })).toThrow(/no-such-dir.*missing and CI=true/);
    expect(() => fixturePresent(missing, { CI: '1' })).toThrow(/must run in CI/);
  });

  it('run (true) when the fixture is there, in CI or not', () => {
    expect(
      fixturePresent(path.resolve(import.meta.dirname, 'fixtures-required.e2e.ts'), { CI: 'true' }),
    ).toBe(true);
  });

  it('reads CI as the CI services set it', () => {
    expect([undefined, '', 'false', '0'].map((CI) => inCi({ CI }))).toEqual([false, false, false, false]);
    expect(['true', '1', 'TRUE', 'yes'].map((CI) => inCi({ CI }))).toEqual([true, true, true, true]);
  });
});
