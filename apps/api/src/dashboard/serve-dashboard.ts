import { createReadStream, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Paths that belong to the api, never to the single-page app. */
const API_PATHS = /^\/(api|metrics|socket\.io)(\/|$)/;

/** True when a request should get the app's index.html (a page navigation, not an api call or a file). */
export function wantsSpaPage(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const pathname = new URL(url, 'http://localhost').pathname;
  if (API_PATHS.test(pathname) || path.extname(pathname) !== '') return false;
  return accept === undefined || accept.includes('text/html') || accept.includes('*/*');
}

/**
 * Serves the built dashboard at `/` with a single-page-app fallback: a page navigation that is neither
 * an api path nor a file gets index.html, so deep links survive a reload. Returns false (and serves
 * nothing) when the dashboard has not been built.
 */
export function serveDashboard(app: NestExpressApplication, distDir: string): boolean {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return false;
  app.useStaticAssets(distDir, { index: 'index.html', maxAge: '1h' });
  app.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
    if (!wantsSpaPage(request.method ?? 'GET', request.url ?? '/', request.headers.accept)) return next();
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache');
    if (request.method === 'HEAD') return void response.end();
    createReadStream(index)
      .on('error', () => next())
      .pipe(response);
  });
  return true;
}
