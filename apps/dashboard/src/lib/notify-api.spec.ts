import { describe, expect, it } from 'vitest';
import { readBody } from './api.js';
import { RoutesSchema } from './notify-api.js';

describe('RoutesSchema', () => {
  it("reads npm start's answer without a configured channel: the default route with no channels", () => {
    const body = JSON.stringify({
      channels: [],
      routes: [{ name: 'default', match: {}, channels: [], escalationOnly: false }],
    });
    const read = readBody(body, RoutesSchema);
    expect(read.ok && read.value.routes[0]!.channels).toEqual([]);
  });

  it('still refuses a route without a name', () => {
    const body = JSON.stringify({ channels: ['webhook'], routes: [{ match: {}, channels: ['webhook'] }] });
    expect(readBody(body, RoutesSchema).ok).toBe(false);
  });
});
