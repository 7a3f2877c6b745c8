#!/usr/bin/env node
// `npx sandglass …`: runs the CLI from the TypeScript sources in a clone (through tsx), or from the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}apps/cli/src/main.ts`;
const built = `${root}dist/apps/cli/src/main.js`;
let args;
try {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  if (!existsSync(source)) throw new Error('no sources');
  args = ['--conditions=source', '--import', tsx, source];
} catch {
  args = [built];
}
const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
