import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import {
  DeadLetterSchema,
  deadLetterMessage,
  FILE_FORMATS,
  ReplayRequestSchema,
  SCENARIOS,
  type ReplayRequest,
  type ReplaySpeed,
} from '#contracts';
import { generateToken, hashToken, ROLES } from '#auth';
import { createReplayJob, type ReplayJob } from '#replay';
import { ExportUsageError, exportToFile } from './export.js';
import { formatProgress, formatSummary } from './progress.js';

const HELP = {
  main: `sandglass — live failure warnings for lithium-metal and solid-state cells

Commands:
  sandglass replay <file> --rig R --cell C [options]   replay a recorded cycler export over MQTT
  sandglass simulate --scenario S --rig R --cell C     publish a synthetic run from the simulator
  sandglass token --role ROLE --name NAME              make an API/MQTT token and its tokens-file entry
  sandglass dead-letters replay FILE                   publish refused messages again (after fixing them)
  sandglass export --rig R --cell C --out FILE         download a cell's samples or cycles (CSV, Parquet)

Run a command with --help for its options.`,
  replay: `sandglass replay <file> --rig R --cell C [options]

Publishes a recorded run as rig R / cell C on sandglass/v1/R/C/telemetry (QoS 1, batched arrays).
  --speed N|max     data time x N (1 to 10000), or as fast as the broker takes it (default 60)
  --start ISO       data time of the first row (default now)
  --broker URL      MQTT broker (default $SANDGLASS_MQTT_URL or mqtt://127.0.0.1:1883)
  --format F        ${FILE_FORMATS.join('|')} (default auto: sniffed from the first lines)
  --current-A A     constant current in amperes, for files that recorded none
  --map M           generic CSV columns: time=col,voltage=col,current=col[,temperature=col,pressure=col]
                    (col = header name or 1-based index, optional :unit, e.g. current=2:mA)
  --loop            start again at the end, data time moving on
  --username U, --password P   broker credentials (a rig's user is its rig id)`,
  simulate: `sandglass simulate --scenario S --rig R --cell C [options]

Publishes a synthetic run of the built-in physics simulator.
  --scenario S      ${SCENARIOS.join('|')}
  --speed N|max     data time x N (default 100)
  --seed N          random seed (default 1); the same seed gives the same run
  --start ISO, --broker URL, --loop, --username U, --password P   as for replay`,
  export: `sandglass export --rig R --cell C --out FILE [options]

Downloads a cell's stored samples (or its per-cycle table) from the api, streamed, with Battery Data
Format column names (Test Time / s, Voltage / V, Current / A, ...).
  --format F        csv|parquet (default csv)
  --table T         samples|cycles (default samples)
  --from T, --to T  time range, epoch ms or ISO-8601 (default everything)
  --api URL         the api (default $SANDGLASS_API_URL or http://127.0.0.1:3000)
  --token TOKEN     API token when authentication is on (default $SANDGLASS_API_TOKEN)`,
  token: `sandglass token --role ROLE --name NAME

Prints a new random token (give it to its user; it is not stored) and the entry to add to the tokens file
(SANDGLASS_AUTH_TOKENS_FILE), which keeps only its SHA-256.
  --role ROLE       ${ROLES.join('|')} (a rig's name must be its rig id)
  --name NAME       who or what the token is for`,
  'dead-letters': `sandglass dead-letters replay FILE [options]

Publishes the messages of a dead-letter file (SANDGLASS_DATA_DIR/dead-letters/dead-letters.jsonl: what
ingest refused, one JSON object a line) on their topics again, QoS 1 — after you fixed what was wrong
with them, or the configuration that refused them. Of an array some of whose samples were stored, only
the refused elements are sent. Lines whose payload was cut are skipped.
  --reason R        only the letters refused for reason R (e.g. store-refused, bad-json)
  --broker URL      MQTT broker (default $SANDGLASS_MQTT_URL or mqtt://127.0.0.1:1883)
  --username U, --password P   broker credentials`,
};

/** A usage mistake: printed with the command's help, exit code 2. */
class UsageError extends Error {}

const common = {
  rig: { type: 'string' },
  cell: { type: 'string' },
  speed: { type: 'string' },
  start: { type: 'string' },
  broker: { type: 'string' },
  loop: { type: 'boolean' },
  username: { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseSpeed(text: string | undefined, fallback: number): ReplaySpeed {
  if (text === undefined) return fallback;
  if (text === 'max') return 'max';
  const speed = Number(text);
  if (!Number.isFinite(speed)) throw new UsageError(`--speed must be a number or max, got ${text}`);
  return speed;
}

function validate(request: unknown): ReplayRequest {
  const result = ReplayRequestSchema.safeParse(request);
  if (result.success) return result.data;
  throw new UsageError(
    result.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('\n'),
  );
}

async function publish(
  request: ReplayRequest,
  values: { broker?: string; username?: string; password?: string },
) {
  const url = values.broker ?? process.env.SANDGLASS_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  const client = await mqtt.connectAsync(url, {
    clientId: `sandglass-replay-${request.rigId}-${request.cellId}-${process.pid}`,
    reconnectPeriod: 1000,
    ...(values.username !== undefined && { username: values.username }),
    ...(values.password !== undefined && { password: values.password }),
  });
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  const job: ReplayJob = await createReplayJob(client, request, { now_ms: Date.now() });
  process.stderr.write(`replaying ${job.source} as ${request.rigId}/${request.cellId} to ${url}\n`);
  const stop = () => job.publisher.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = process.stderr.isTTY;
  const timer = tty
    ? setInterval(() => process.stderr.write(`\r${formatProgress(job, process.stderr.columns ?? 100)}`), 250)
    : undefined;
  const result = await job.publisher.run();
  if (timer) clearInterval(timer);
  await client.endAsync();
  process.stderr.write(tty ? '\n' : '');
  process.stdout.write(formatSummary(job, result, request) + '\n');
  return result.state === 'failed' ? 1 : 0;
}

async function replayDeadLetters(
  file: string,
  values: { broker?: string; username?: string; password?: string; reason?: string },
): Promise<number> {
  const url = values.broker ?? process.env.SANDGLASS_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  statSync(file); // a missing file is said before connecting
  const client = await mqtt.connectAsync(url, {
    clientId: `sandglass-dead-letters-${process.pid}`,
    ...(values.username !== undefined && { username: values.username }),
    ...(values.password !== undefined && { password: values.password }),
  });
  // Made after connecting: lines read before the loop below starts would be lost.
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let sent = 0;
  const skipped = new Map<string, number>();
  const skip = (why: string) => skipped.set(why, (skipped.get(why) ?? 0) + 1);
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let parsed;
      try {
        parsed = DeadLetterSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        skip('not a dead letter');
        continue;
      }
      if (values.reason !== undefined && parsed.data.reason !== values.reason) continue;
      const message = deadLetterMessage(parsed.data);
      if ('skip' in message) {
        skip(message.skip);
        continue;
      }
      await client.publishAsync(message.topic, message.payload, { qos: 1 });
      sent++;
    }
  } finally {
    await client.endAsync();
  }
  const notes = [...skipped].map(([why, n]) => `${n} skipped: ${why}`);
  process.stdout.write(
    `${sent} messages published to ${url}${notes.length ? `; ${notes.join('; ')}` : ''}\n`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          ...common,
          format: { type: 'string' },
          'current-A': { type: 'string' },
          map: { type: 'string' },
        },
      });
      if (values.help) return help('replay');
      if (positionals.length !== 1) throw new UsageError('replay needs exactly one file');
      const currentA = values['current-A'] === undefined ? undefined : Number(values['current-A']);
      const request = validate({
        source: {
          kind: 'file',
          path: positionals[0],
          format: values.format ?? 'auto',
          ...(currentA !== undefined && { currentA }),
          ...(values.map !== undefined && { map: values.map }),
        },
        rigId: values.rig,
        cellId: values.cell,
        speed: parseSpeed(values.speed, 60),
        start: values.start,
        loop: values.loop ?? false,
      });
      return publish(request, values);
    }
    case 'simulate': {
      const { values } = parseArgs({
        args: rest,
        options: { ...common, scenario: { type: 'string' }, seed: { type: 'string' } },
      });
      if (values.help) return help('simulate');
      const request = validate({
        source: {
          kind: 'simulator',
          scenario: values.scenario,
          seed: values.seed === undefined ? 1 : Number(values.seed),
        },
        rigId: values.rig,
        cellId: values.cell,
        speed: parseSpeed(values.speed, 100),
        start: values.start,
        loop: values.loop ?? false,
      });
      return publish(request, values);
    }
    case 'token': {
      const { values } = parseArgs({
        args: rest,
        options: {
          role: { type: 'string' },
          name: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help('token');
      if (!values.role || !(ROLES as readonly string[]).includes(values.role)) {
        throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      }
      if (!values.name) throw new UsageError('--name is required');
      const token = generateToken();
      process.stdout.write(
        `token: ${token}\ntokens-file entry: ${JSON.stringify({ name: values.name, role: values.role, sha256: hashToken(token) })}\n`,
      );
      return 0;
    }
    case 'dead-letters': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          broker: common.broker,
          username: common.username,
          password: common.password,
          help: common.help,
          reason: { type: 'string' },
        },
      });
      if (values.help) return help('dead-letters');
      if (positionals[0] !== 'replay' || positionals.length !== 2) {
        throw new UsageError('usage: sandglass dead-letters replay FILE');
      }
      return replayDeadLetters(positionals[1]!, values);
    }
    case 'export': {
      const { values } = parseArgs({
        args: rest,
        options: {
          rig: { type: 'string' },
          cell: { type: 'string' },
          format: { type: 'string' },
          table: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          out: { type: 'string' },
          api: { type: 'string' },
          token: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help('export');
      if (!values.rig || !values.cell || !values.out)
        throw new UsageError('--rig, --cell and --out are required');
      const started = process.hrtime.bigint();
      let bytes: number;
      try {
        bytes = await exportToFile({
          api: values.api ?? process.env.SANDGLASS_API_URL ?? 'http://127.0.0.1:3000',
          rigId: values.rig,
          cellId: values.cell,
          format: values.format ?? 'csv',
          table: values.table ?? 'samples',
          out: values.out,
          ...(values.from !== undefined && { from: values.from }),
          ...(values.to !== undefined && { to: values.to }),
          ...((values.token ?? process.env.SANDGLASS_API_TOKEN) !== undefined && {
            token: values.token ?? process.env.SANDGLASS_API_TOKEN,
          }),
        });
      } catch (error) {
        if (error instanceof ExportUsageError) throw new UsageError(error.message);
        throw error;
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(`wrote ${values.out}: ${bytes} bytes in ${seconds.toFixed(2)} s\n`);
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      return help('main');
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

function help(topic: keyof typeof HELP): number {
  process.stdout.write(HELP[topic] + '\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sandglass: ${(error as Error).message}\nRun with --help for usage.\n`);
      process.exit(2);
    }
    process.stderr.write(`sandglass: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
