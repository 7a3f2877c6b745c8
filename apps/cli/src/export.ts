import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExportQuerySchema, isValidId } from '#contracts';

export interface ExportOptions {
  api: string;
  rigId: string;
  cellId: string;
  format: string;
  table: string;
  from?: string;
  to?: string;
  out: string;
  token?: string;
}

/** A usage mistake in the export options (exit code 2). */
export class ExportUsageError extends Error {}

/**
 * `sandglass export`: streams `GET /api/cells/{rig}/{cell}/export` into a file (written beside it and
 * renamed when complete, so a failed download leaves no half file). Returns the bytes written.
 */
export async function exportToFile(options: ExportOptions): Promise<number> {
  if (!isValidId(options.rigId) || !isValidId(options.cellId)) {
    throw new ExportUsageError('--rig and --cell must be 1–64 of A-Z a-z 0-9 _ . -');
  }
  const checked = ExportQuerySchema.safeParse({
    format: options.format,
    table: options.table,
    ...(options.from !== undefined && { from: options.from }),
    ...(options.to !== undefined && { to: options.to }),
  });
  if (!checked.success) {
    throw new ExportUsageError(
      checked.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'),
    );
  }
  const query = new URLSearchParams({ format: checked.data.format, table: checked.data.table });
  if (checked.data.from !== undefined) query.set('from', String(checked.data.from));
  if (checked.data.to !== undefined) query.set('to', String(checked.data.to));
  const url =
    `${options.api.replace(/\/+$/, '')}/api/cells/${encodeURIComponent(options.rigId)}/` +
    `${encodeURIComponent(options.cellId)}/export?${query}`;
  const response = await fetch(url, {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  if (!response.ok || !response.body) {
    let message = `HTTP ${response.status}`;
    try {
      message += `: ${((await response.json()) as { message?: string }).message ?? ''}`;
    } catch {
      // the status is the message
    }
    throw new Error(`export failed (${message})`);
  }
  const partial = `${options.out}.partial`;
  let bytes = 0;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(body, createWriteStream(partial));
    await rename(partial, options.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return bytes;
}
