import { describe } from 'vitest';

export interface TestServices {
  mqttUrl: string;
  influxUrl: string;
  /** Redis for socket.io's adapter (several api instances). */
  redisUrl: string;
  servicesDir: string;
}

/** True when the run was told to skip the tests that need real servers (SANDGLASS_SKIP_SERVICES=1). */
export const skipServices = process.env.SANDGLASS_SKIP_SERVICES === '1';

/**
 * The URLs of the real test servers started by scripts/services.sh. Throws — failing the test, never
 * passing it silently — when they could not be started.
 */
export function testServices(): TestServices {
  const mqttUrl = process.env.SANDGLASS_TEST_MQTT_URL;
  const influxUrl = process.env.SANDGLASS_TEST_INFLUX_URL;
  const redisUrl = process.env.SANDGLASS_TEST_REDIS_URL;
  if (!mqttUrl || !influxUrl || !redisUrl) {
    throw new Error(
      `real test servers are not available: ${process.env.SANDGLASS_SERVICES_ERROR ?? 'unknown reason'}. ` +
        'Install Debian packages mosquitto, influxdb and redis-server (scripts/services.sh install, as root), ' +
        'or set SANDGLASS_SKIP_SERVICES=1 to skip these tests explicitly.',
    );
  }
  return { mqttUrl, influxUrl, redisUrl, servicesDir: process.env.SANDGLASS_TEST_SERVICES_DIR ?? '' };
}

/** `describe` for suites that need Mosquitto and InfluxDB: skipped only when explicitly asked. */
export const describeWithServices = describe.skipIf(skipServices);
