import { describe, expect, it } from 'vitest';
import { EnvironmentError, parseEnvironment } from './environment.js';

describe('parseEnvironment', () => {
  it('fills the embedded defaults', () => {
    const env = parseEnvironment({});
    expect(env).toMatchObject({
      SANDGLASS_HTTP_PORT: 3000,
      SANDGLASS_MQTT_PORT: 1883,
      SANDGLASS_DATA_DIR: './data',
    });
    expect(env.SANDGLASS_MQTT_URL).toBeUndefined();
    expect(env.SANDGLASS_INFLUX_URL).toBeUndefined();
  });

  it('names each invalid variable', () => {
    try {
      parseEnvironment({
        SANDGLASS_HTTP_PORT: 'eighty',
        SANDGLASS_INFLUX_URL: 'mqtt://x:1',
        SANDGLASS_DEMO: 'yes',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvironmentError);
      const message = (error as Error).message;
      for (const name of ['SANDGLASS_HTTP_PORT', 'SANDGLASS_INFLUX_URL', 'SANDGLASS_DEMO']) {
        expect(message).toContain(name);
      }
    }
  });

  it('refuses a webhook without a secret, or of another scheme, naming the variable', () => {
    expect(() => parseEnvironment({ SANDGLASS_NOTIFY_WEBHOOK_URL: 'https://hooks.example/x' })).toThrow(
      /SANDGLASS_NOTIFY_WEBHOOK_SECRET=.*required/,
    );
    expect(() =>
      parseEnvironment({
        SANDGLASS_NOTIFY_WEBHOOK_URL: 'ftp://x/y',
        SANDGLASS_NOTIFY_WEBHOOK_SECRET: 'x'.repeat(16),
      }),
    ).toThrow(/SANDGLASS_NOTIFY_WEBHOOK_URL=/);
    expect(() =>
      parseEnvironment({ SANDGLASS_NOTIFY_RETRY_MIN_MS: '5000', SANDGLASS_NOTIFY_RETRY_MAX_MS: '100' }),
    ).toThrow(/SANDGLASS_NOTIFY_RETRY_MAX_MS=/);
    expect(() => parseEnvironment({ SANDGLASS_NOTIFY_SMTP_URL: 'smtp://mail.lab:25' })).toThrow(
      /SANDGLASS_NOTIFY_EMAIL_FROM=.*\n.*SANDGLASS_NOTIFY_EMAIL_TO=/,
    );
    expect(() =>
      parseEnvironment({
        SANDGLASS_NOTIFY_SMTP_URL: 'smtp://mail.lab:25',
        SANDGLASS_NOTIFY_EMAIL_FROM: 'sg@lab.example',
        SANDGLASS_NOTIFY_EMAIL_TO: 'a@lab.example, not-an-address',
      }),
    ).toThrow(/SANDGLASS_NOTIFY_EMAIL_TO=/);
    const env = parseEnvironment({
      SANDGLASS_NOTIFY_EMAIL_TO: 'a@lab.example, b@lab.example',
      SANDGLASS_NOTIFY_WEBHOOK_URL: 'https://hooks.example/x',
      SANDGLASS_NOTIFY_WEBHOOK_SECRET: 'a-long-enough-secret',
    });
    expect(env.SANDGLASS_NOTIFY_RETRY_MIN_MS).toBe(1000);
    expect(env.SANDGLASS_NOTIFY_EMAIL_TO).toEqual(['a@lab.example', 'b@lab.example']);
  });

  it('splits the rig list of a scaled-out ingest', () => {
    expect(parseEnvironment({ SANDGLASS_INGEST_RIGS: 'rig-1, rig-2' }).SANDGLASS_INGEST_RIGS).toEqual([
      'rig-1',
      'rig-2',
    ]);
  });

  it('checks the settings of hash-partitioned ingest and of the Redis adapter', () => {
    expect(() => parseEnvironment({ SANDGLASS_INGEST_PARTITION: 'hash' })).toThrow(/SANDGLASS_INGEST_RIGS=/);
    expect(() =>
      parseEnvironment({ SANDGLASS_INGEST_PARTITION: 'hash', SANDGLASS_INGEST_RIGS: 'r1' }),
    ).toThrow(/SANDGLASS_MQTT_URL=/);
    expect(() => parseEnvironment({ SANDGLASS_INGEST_PARTITION: 'round-robin' })).toThrow(
      /SANDGLASS_INGEST_PARTITION=/,
    );
    expect(() => parseEnvironment({ SANDGLASS_REDIS_URL: 'http://redis:6379' })).toThrow(
      /SANDGLASS_REDIS_URL=/,
    );
    const env = parseEnvironment({
      SANDGLASS_INGEST_PARTITION: 'hash',
      SANDGLASS_INGEST_RIGS: 'r1,r2',
      SANDGLASS_MQTT_URL: 'mqtt://broker:1883',
      SANDGLASS_REDIS_URL: 'redis://redis:6379',
    });
    expect(env.SANDGLASS_INGEST_SETTLE_MS).toBe(3000);
  });
});
