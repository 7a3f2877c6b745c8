// Preload of bench:health for the standalone process (node --import …/loop-cpu.js): the main thread's
// CPU time per event-loop turn, read from Linux's /proc schedstat between ticks of a 1 ms timer. Unlike
// wall-clock lag it tells a long synchronous task from a thread waiting for a core on a loaded machine,
// and it catches single long blocks (the event-loop lag metric averaged a 1.5 s one away).
// SIGUSR2 writes the turns recorded since the previous SIGUSR2 to LOOP_CPU_FILE (JSON) and starts afresh.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';

/** What LOOP_CPU_FILE holds. */
export interface LoopCpu {
  turns: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Turns over 50 ms of CPU. */
  over50: number;
}

const out = process.env.LOOP_CPU_FILE;
let fd = -1;
try {
  // The main thread's id is the process id.
  if (out) fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
} catch {
  // Not Linux: nothing to record.
}
if (out && fd >= 0) {
  const buffer = Buffer.alloc(128);
  // The first field: nanoseconds the thread has run on a CPU.
  const cpu_ns = () => Number(buffer.toString('latin1', 0, readSync(fd, buffer, 0, 128, 0)).split(' ')[0]);
  let last = cpu_ns();
  let turns: number[] = [];
  setInterval(() => {
    const now = cpu_ns();
    turns.push((now - last) / 1e6);
    last = now;
  }, 1).unref();
  process.on('SIGUSR2', () => {
    const sorted = turns.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const summary: LoopCpu = {
      turns: sorted.length,
      p50_ms: at(0.5),
      p99_ms: at(0.99),
      max_ms: sorted.at(-1) ?? 0,
      over50: sorted.filter((t) => t > 50).length,
    };
    writeFileSync(out, JSON.stringify(summary));
    turns = [];
  });
  process.on('exit', () => closeSync(fd));
}
