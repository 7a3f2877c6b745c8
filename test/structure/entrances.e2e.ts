import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The rule that keeps every app and library behind its public entrance (eslint.config.js,
 * `entrancePatterns`), run through the ESLint Node API with the repository's own configuration on planted
 * sources. Type information is switched off for these in-memory texts (the entrance rule does not need it),
 * so the type-aware rules are switched off with it; the file globs and patterns are the real ones.
 */
const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
});

async function entranceErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  const messages = result!.messages;
  // A parse error would hide the rule: fail on it rather than read "no violations".
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('lint rule: one public entrance per app and library', () => {
  it.each([
    ['apps/standalone/src/main.ts', "import { CellsService } from '../../api/src/cells/cells.service.js';"],
    ['apps/standalone/src/main.ts', "export { IngestModule } from '../../ingest/src/ingest.module.js';"],
    ['test/api/planted.e2e.ts', "import { startApi } from '../../apps/api/src/bootstrap.js';"],
    ['scripts/bench/planted.ts', "import { InfluxStore } from '../../libs/store/src/influx-store.js';"],
    [
      'apps/dashboard/src/lib/planted.ts',
      "import { presets } from '../../../../libs/physics/src/presets.js';",
    ],
    ['libs/physics/src/planted.ts', "import { Rng } from '../../simulator/src/index.js';"],
    ['apps/api/src/planted.ts', "import { presets } from '#physics/presets';"],
    ['scripts/bench/planted.ts', "const { startApi } = await import('../../apps/api/src/bootstrap.js');"],
  ])('refuses %s: %s', async (filePath, code) => {
    const errors = await entranceErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/entrance/);
  });

  it.each([
    ['apps/standalone/src/main.ts', "import { ApiModule } from '#api';\nimport { x } from './demo-rig.js';"],
    ['apps/api/src/cells/planted.ts', "import { x } from '../common/domain-errors.js';"],
    [
      'test/api/planted.e2e.ts',
      "import { startApi } from '#api';\nimport { y } from '../support/services.js';",
    ],
    ['scripts/bench/planted.ts', "const { startApi } = await import('#api');"],
    [
      'libs/store/src/planted.spec.ts',
      "import { describeTelemetryStoreConformance } from './conformance.js';",
    ],
  ])('accepts %s: %s', async (filePath, code) => {
    expect(await entranceErrors(filePath, code)).toEqual([]);
  });

  it('keeps the physics core pure as well as closed (both option sets on libs/physics)', async () => {
    const errors = await entranceErrors(
      'libs/physics/src/planted.ts',
      "import { readFile } from 'node:fs';\nimport { x } from '../../store/src/index.js';",
    );
    expect(errors).toHaveLength(2);
  });
});
