import { describe, expect, it } from 'vitest';
import { wantsSpaPage } from './serve-dashboard.js';

describe('wantsSpaPage', () => {
  const html = 'text/html,application/xhtml+xml';

  it('serves index.html for page navigations to app routes', () => {
    expect(wantsSpaPage('GET', '/', html)).toBe(true);
    expect(wantsSpaPage('GET', '/cells/rig-01/ch-03?tab=config', html)).toBe(true);
    expect(wantsSpaPage('HEAD', '/alerts', html)).toBe(true);
  });

  it('never answers for the api, metrics or socket.io', () => {
    expect(wantsSpaPage('GET', '/api/cells', html)).toBe(false);
    expect(wantsSpaPage('GET', '/api', html)).toBe(false);
    expect(wantsSpaPage('GET', '/metrics', html)).toBe(false);
    expect(wantsSpaPage('GET', '/socket.io/?EIO=4', html)).toBe(false);
  });

  it('lets missing files and non-GET requests 404 normally', () => {
    expect(wantsSpaPage('GET', '/assets/missing.js', '*/*')).toBe(false);
    expect(wantsSpaPage('POST', '/cells', html)).toBe(false);
    expect(wantsSpaPage('GET', '/cells', 'application/json')).toBe(false);
  });

  it('keeps /apiary and similar app routes', () => {
    expect(wantsSpaPage('GET', '/apiary', html)).toBe(true);
  });
});
