import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeTelemetryStoreConformance } from './conformance.js';
import { EmbeddedStore } from './embedded-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-store-'));

describeTelemetryStoreConformance('EmbeddedStore (DuckDB file)', {
  make: async () => new EmbeddedStore({ dataDir: dir }),
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
});
