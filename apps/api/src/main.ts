import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EnvironmentError, parseEnvironment } from '#contracts';
import { startApi } from './bootstrap.js';
import { publisherReplayRunner } from './replays/publisher-runner.provider.js';

/** Standalone api process: `node dist/apps/api/src/main.js`. */
async function main(): Promise<void> {
  const env = parseEnvironment();
  const api = await startApi(env, { replayRunner: publisherReplayRunner(env) });
  new Logger('Api').log(`api on ${api.url} (OpenAPI ${api.url}/api/docs, socket.io ${api.url}/live)`);
}

main().catch((error: unknown) => {
  // Start-up failures (an invalid environment names the variable) end the process with a message.
  const message =
    error instanceof EnvironmentError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`sandglass api: ${message}\n`);
  process.exit(1);
});
