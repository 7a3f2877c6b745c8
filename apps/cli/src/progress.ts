import type { ReplayRequest } from '#contracts';
import type { PublishProgress, ReplayJob } from '#replay';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const dataTime = (ms: number | null): string =>
  ms === null ? '-' : new Date(ms).toISOString().slice(0, 19) + 'Z';

/** One terminal line: a bar when the total is known, rows, data time, rate and ETA. */
export function formatProgress(
  job: Pick<ReplayJob, 'rowsTotal'> & { publisher: { progress(): PublishProgress } },
  width: number,
): string {
  const p = job.publisher.progress();
  const rate = p.wallElapsed_ms > 0 ? (p.rowsPublished * 1000) / p.wallElapsed_ms : 0;
  const parts = [
    `${p.rowsPublished.toLocaleString('en-US')} rows`,
    `data ${dataTime(p.dataTime)}`,
    `${Math.round(rate).toLocaleString('en-US')} rows/s`,
  ];
  if (p.state === 'paused') parts.push('paused');
  let bar = '';
  if (job.rowsTotal) {
    const fraction = Math.min(1, p.rowsPublished / job.rowsTotal);
    parts.push(`ETA ${rate > 0 ? duration((job.rowsTotal - p.rowsPublished) / rate) : '?'}`);
    const barWidth = Math.max(10, Math.min(30, width - parts.join(' | ').length - 10));
    const filled = Math.round(fraction * barWidth);
    bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${Math.floor(fraction * 100)}% `;
  }
  return (bar + parts.join(' | ')).slice(0, Math.max(20, width - 1)).padEnd(Math.max(20, width - 1));
}

/** The summary line printed when a replay ends. */
export function formatSummary(
  job: Pick<ReplayJob, 'source' | 'summary'>,
  p: PublishProgress,
  request: Pick<ReplayRequest, 'rigId' | 'cellId'>,
): string {
  const rate = p.wallElapsed_ms > 0 ? (p.rowsPublished * 1000) / p.wallElapsed_ms : 0;
  const skipped = Object.entries(job.summary()?.skipped ?? {})
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return (
    `${p.state}: ${p.rowsPublished.toLocaleString('en-US')} samples in ${p.messagesPublished} messages ` +
    `as ${request.rigId}/${request.cellId} in ${duration(p.wallElapsed_ms / 1000)} ` +
    `(${Math.round(rate).toLocaleString('en-US')} samples/s), data time up to ${dataTime(p.dataTime)}` +
    (skipped ? `; skipped ${skipped}` : '') +
    (p.error ? `; error: ${p.error}` : '')
  );
}
