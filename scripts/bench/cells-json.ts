// npm run bench:cells-json — CPU cost of answering `GET /api/cells` for --cells (default 1000) cells with
// full states (estimates and model output, ~700 bytes each): the whole array serialised per request (as
// before) against CellsService.listJson (each state serialised once when it arrives, the cells' pieces
// copied into one buffer per request). CPU time, not wall time: figures stay comparable on a shared machine.
import type { StateMessage } from '#contracts';
import type { StoredCell, TelemetryStore } from '#store';
import { CellsService, type LiveFeed } from '#api';

function option(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 && process.argv[k + 1] ? process.argv[k + 1]! : fallback;
}
const cells = Number(option('cells', '1000'));
const rounds = Number(option('rounds', '50'));

function state(cellId: string, k: number): StateMessage {
  return {
    rigId: 'bench',
    cellId,
    ts: 1.79e12 + k * 1000 + Math.random(),
    v: 0.066 + Math.random() * 1e-3,
    i: 0.00113,
    t: 24.95,
    risk: 'ok',
    levels: {},
    estimates: {
      depletionFraction: Math.random() * 0.01,
      timeToDepletion_s: null,
      jOverJstar: Math.random() * 0.01,
      currentDensity_A_m2: 10,
      strippingCurrentOverCsc: null,
      strippingChargeAboveCsc_C_m2: null,
      contactFraction: null,
      areaSpecificResistance_ohm_m2: 0.0066 + Math.random() * 1e-4,
      shortResistance_ohm: null,
    },
    model: {
      version: 'fm1-01fe9be10d',
      probabilities: {
        'sand-depletion': Math.random() * 1e-6,
        'void-growth': Math.random() * 1e-9,
        'soft-short': Math.random() * 0.02,
        'hard-short': Math.random() * 1e-3,
      },
      horizon_s: 900,
    },
    samples: 800 + k,
    run: 0,
  };
}

const stored: StoredCell[] = [];
for (let c = 0; c < cells; c++)
  stored.push({ rigId: 'bench', cellId: `c${c}`, configured: true, state: null });
let live: StateMessage[] = [];
let onState: (state: StateMessage) => void = () => {};
const store = { listCells: async () => stored } as unknown as TelemetryStore;
const feed = {
  latestStates: () => live,
  listen: (listener: { state: (s: StateMessage) => void }) => {
    onState = listener.state;
    return () => {};
  },
} as unknown as LiveFeed;
const service = new CellsService(store, {} as never, feed);
service.onModuleInit();

const cpu_ms = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** A new state for every cell (as at 1 Hz between two polls), each handed to the service on arrival. */
function newStates(round: number): number {
  live = [];
  for (let c = 0; c < cells; c++) live.push(state(`c${c}`, round));
  const started = cpu_ms();
  for (const s of live) onState(s);
  return cpu_ms() - started;
}

let bytes = 0;
const perRequest = { before: 0, fresh: 0, unchanged: 0 };
let arrival_ms = 0;
for (let round = -5; round < rounds; round++) {
  const onArrival = newStates(round);
  let t = cpu_ms();
  const whole = Buffer.from(JSON.stringify(await service.list()));
  const before = cpu_ms() - t;
  t = cpu_ms();
  const body = await service.listJson();
  const fresh = cpu_ms() - t;
  t = cpu_ms();
  await service.listJson();
  const unchanged = cpu_ms() - t;
  if (round < 0) continue; // warm-up
  if (!body.equals(whole) && JSON.stringify(JSON.parse(body.toString())) !== whole.toString())
    throw new Error('listJson differs from the serialised list');
  bytes = body.length;
  perRequest.before += before / rounds;
  perRequest.fresh += fresh / rounds;
  perRequest.unchanged += unchanged / rounds;
  arrival_ms += onArrival / rounds;
}
const r2 = (x: number) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    cells,
    body_kb: Math.round(bytes / 1024),
    before_cpu_ms_per_request: r2(perRequest.before),
    after_cpu_ms_per_request_all_states_new: r2(perRequest.fresh),
    after_cpu_ms_per_request_unchanged: r2(perRequest.unchanged),
    after_cpu_us_per_state_on_arrival: r2((arrival_ms / cells) * 1000),
  }),
);
