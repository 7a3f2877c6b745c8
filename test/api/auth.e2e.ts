import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashToken } from '#auth';
import { parseEnvironment } from '#contracts';
import { type RunningApi, apiHost, startApi } from '#api';
import { describeWithServices, testServices } from '../support/services.js';

/** The api with authentication on: bearer tokens with roles on REST and socket.io, writes rate-limited. */
describeWithServices('api authentication and authorization', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-auth-'));
  let api: RunningApi;
  const tokens = {
    viewer: 'viewer-secret-token',
    operator: 'operator-secret-token',
    rig: 'rig-secret-token',
  };

  beforeAll(async () => {
    const tokensFile = path.join(dir, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { name: 'vera', role: 'viewer', sha256: hashToken(tokens.viewer) },
          { name: 'otto', role: 'operator', sha256: hashToken(tokens.operator) },
          { name: 'rig-01', role: 'rig', sha256: hashToken(tokens.rig) },
        ],
      }),
    );
    api = await startApi(
      parseEnvironment({
        SANDGLASS_AUTH: 'on',
        SANDGLASS_AUTH_TOKENS_FILE: tokensFile,
        SANDGLASS_WRITE_RATE_PER_MIN: '3',
        SANDGLASS_HTTP_PORT: '0',
        SANDGLASS_HTTP_HOST: '127.0.0.1',
        SANDGLASS_MQTT_URL: testServices().mqttUrl,
        SANDGLASS_DATA_DIR: path.join(dir, 'data'),
        SANDGLASS_LOG_LEVEL: 'warn',
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, route: string, token?: string, body?: unknown) =>
    fetch(`${api.url}${route}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it('answers 401 without a token, and health stays public', async () => {
    const response = await call('GET', '/api/cells');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'a valid bearer token is required' });
    expect((await call('GET', '/api/cells', 'not-a-token')).status).toBe(401);
    expect([200, 503]).toContain((await call('GET', '/api/health')).status);
  });

  it('serves /metrics (rig and cell names) only with a viewer token or better', async () => {
    expect((await call('GET', '/metrics')).status).toBe(401);
    expect((await call('GET', '/metrics', tokens.rig)).status).toBe(403);
    const scraped = await call('GET', '/metrics', tokens.viewer);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('sandglass_api_http_request_duration_seconds');
  });

  it('lets a viewer read but not acknowledge; an operator may; a rig token may not use the api', async () => {
    expect((await call('GET', '/api/alerts', tokens.viewer)).status).toBe(200);
    expect((await call('POST', '/api/alerts/some-id/ack', tokens.viewer)).status).toBe(403);
    expect((await call('POST', '/api/alerts/some-id/ack', tokens.operator)).status).toBe(404);
    expect((await call('GET', '/api/cells', tokens.rig)).status).toBe(403);
  });

  it('rate-limits writes per client', async () => {
    const statuses: number[] = [];
    for (let k = 0; k < 4; k++)
      statuses.push((await call('DELETE', '/api/replays/none', tokens.operator)).status);
    expect(statuses.slice(0, 2).every((s) => s !== 429)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('refuses a socket.io handshake without a token and accepts a viewer', async () => {
    const refused = io(`${api.url}/live`, { transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => refused.on('connect_error', resolve));
    expect(error.message).toContain('bearer token');
    refused.close();

    const viewer = io(`${api.url}/live`, { transports: ['websocket'], auth: { token: tokens.viewer } });
    const reply = await new Promise<{ ok: boolean }>((resolve) => viewer.emit('subscribe', {}, resolve));
    expect(reply.ok).toBe(true);
    viewer.close();
  });

  it('binds to 127.0.0.1 only when authentication is explicitly off', () => {
    expect(apiHost(parseEnvironment({ SANDGLASS_AUTH: 'off', SANDGLASS_HTTP_HOST: '0.0.0.0' }))).toBe(
      '127.0.0.1',
    );
    expect(
      apiHost(parseEnvironment({ SANDGLASS_HTTP_HOST: '0.0.0.0', SANDGLASS_AUTH_TOKENS_FILE: 'x' })),
    ).toBe('0.0.0.0');
  });
});
