/** Polls `condition` every `interval_ms` until it holds; throws, naming `what`, after `timeout_ms`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeout_ms = 30_000,
  interval_ms = 100,
): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval_ms));
  }
}
