import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared real-cycler fixtures (../shared/fixtures from the repository root) are not in the repository.
 * On a developer's machine without them the tests that read them skip, saying so; in CI (CI set, as every
 * CI service sets it) a missing fixture is an error, so a CI without them cannot pass while testing nothing.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedFixturesDir = path.resolve(repoRoot, '../shared/fixtures');

export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** True when `file` exists; false (the caller skips) when not, outside CI; throws when not, in CI. */
export function fixturePresent(
  file: string = sharedFixturesDir,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (existsSync(file)) return true;
  if (inCi(env)) {
    throw new Error(`${file} is missing and CI=${env.CI}: the real-fixture tests must run in CI, not skip`);
  }
  return false;
}
