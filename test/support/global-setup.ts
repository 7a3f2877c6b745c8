import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Makes sure the real Mosquitto and InfluxDB the end-to-end tests talk to are running (scripts/services.sh
 * is idempotent) and hands their URLs to the test workers through the environment. When they cannot be
 * started, the reason is passed on so the tests that need them fail saying what to install.
 * `npm test` (scripts/test.sh) stops the servers afterwards; a bare `vitest` run leaves them up for the next.
 */
export default function setup(): void {
  if (process.env.SANDGLASS_SKIP_SERVICES === '1') return;
  if (process.env.SANDGLASS_TEST_MQTT_URL && process.env.SANDGLASS_TEST_INFLUX_URL) return;
  const script = fileURLToPath(new URL('../../scripts/services.sh', import.meta.url));
  try {
    const out = execFileSync('bash', [script, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    for (const line of out.split('\n')) {
      const eq = line.indexOf('=');
      if (line.startsWith('SANDGLASS_') && eq > 0) process.env[line.slice(0, eq)] = line.slice(eq + 1);
    }
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    process.env.SANDGLASS_SERVICES_ERROR = stderr.trim() || 'scripts/services.sh up failed';
  }
}
