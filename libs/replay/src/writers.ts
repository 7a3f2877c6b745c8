import type { ReplaySample } from './types.js';

// Small writers of each export format, so tests can write a run and read it back. They write what the
// cyclers write (header layout, units, sign conventions, latin-1 where the cycler uses it), for small
// sample arrays held in memory.

const defaultStart_ms = Date.UTC(2024, 4, 1, 9, 30, 0);

/** `1.151097054670608E+003`: EC-Lab's exponent notation. */
function ecLabNumber(value: number, digits: number): string {
  const [mantissa, exponent] = value.toExponential(digits).split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}E${sign}${exponent.replace(/^[+-]/, '').padStart(3, '0')}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `MM/DD/YYYY HH:MM:SS.fff` in UTC. */
function usDateTime(ms: number, withMillis: boolean): string {
  const d = new Date(ms);
  const date = `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${date} ${time}${withMillis ? `.${String(d.getUTCMilliseconds()).padStart(3, '0')}` : ''}`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `H:MM:SS` with fractional seconds when needed; hours may exceed 24. */
function duration(seconds: number): string {
  const whole = Math.floor(seconds);
  const fraction = seconds - whole;
  const text = `${Math.floor(whole / 3600)}:${pad2(Math.floor(whole / 60) % 60)}:${pad2(whole % 60)}`;
  return fraction > 0 ? `${text}${fraction.toFixed(3).slice(1)}` : text;
}

function hasField(samples: readonly ReplaySample[], key: 't' | 'p'): boolean {
  return samples.some((sample) => sample[key] !== undefined);
}

export interface MptWriteOptions {
  start_ms?: number;
  /** time/s of the first row (EC-Lab counts from the acquisition start). */
  firstTime_s?: number;
  commaDecimal?: boolean;
  /** Insert an impedance row (freq/Hz > 0) after every n-th sample. */
  impedanceEvery?: number;
  /** `<I>/mA` and `<Ewe>/V` instead of `I/mA` and `Ewe/V`, or BT-Lab's `Ecell/V`. */
  spelling?: 'plain' | 'averaged' | 'btlab';
}

/** BioLogic EC-Lab `.mpt` (latin-1, CRLF, tab separated with a trailing tab); pressure as `Analog IN 1/V`. */
export function writeMpt(samples: readonly ReplaySample[], options: MptWriteOptions = {}): Buffer {
  const start_ms = options.start_ms ?? defaultStart_ms;
  const firstTime_s = options.firstTime_s ?? 12.5;
  const withT = hasField(samples, 't');
  const withP = hasField(samples, 'p');
  const spelling = options.spelling ?? 'plain';
  const voltage = spelling === 'averaged' ? '<Ewe>/V' : spelling === 'btlab' ? 'Ecell/V' : 'Ewe/V';
  const current = spelling === 'averaged' ? '<I>/mA' : 'I/mA';
  const columns = ['mode', 'ox/red', 'error', 'time/s', voltage, current, 'freq/Hz', 'cycle number', 'Ns'];
  if (withT) columns.push('Temperature/°C');
  if (withP) columns.push('Analog IN 1/V');
  const header = [
    spelling === 'btlab' ? 'BT-Lab ASCII FILE' : 'EC-Lab ASCII FILE',
    'Nb header lines : 9                          ',
    '',
    'Galvanostatic Cycling with Potential Limitation',
    '',
    `Acquisition started on : ${usDateTime(start_ms - firstTime_s * 1000, true)}`,
    'Electrode surface area : 0.500 cm²',
    '',
    `${columns.join('\t')}\t`,
  ];
  const number = (value: number, digits: number): string => {
    const text = ecLabNumber(value, digits);
    return options.commaDecimal ? text.replace('.', ',') : text;
  };
  const lines = [...header];
  samples.forEach((sample, k) => {
    const time = firstTime_s + sample.time_s;
    const fields = [
      sample.i === 0 ? '3' : '1',
      sample.i > 0 ? '1' : '0',
      '0',
      number(time, 15),
      number(sample.v, 10),
      number(sample.i * 1000, 10),
      number(0, 7),
      number(sample.cycle ?? 0, 15),
      String(sample.step ?? 0),
    ];
    if (withT) fields.push(number(sample.t ?? 0, 7));
    if (withP) fields.push(number(sample.p ?? 0, 7));
    lines.push(`${fields.join('\t')}\t`);
    if (options.impedanceEvery && (k + 1) % options.impedanceEvery === 0) {
      const impedance = [
        '3',
        '0',
        '0',
        number(time + 0.5, 15),
        number(sample.v + 0.01, 10),
        number(1e-3, 10),
      ];
      impedance.push(number(1e5, 7), number(sample.cycle ?? 0, 15), String(sample.step ?? 0));
      if (withT) impedance.push(number(0, 7));
      if (withP) impedance.push(number(0, 7));
      lines.push(`${impedance.join('\t')}\t`);
    }
  });
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

export interface ArbinWriteOptions {
  start_ms?: number;
  /** 'mits': MITS Pro with units in the header; 'tri': the older style without units. */
  style?: 'mits' | 'tri';
}

/** Arbin CSV (CRLF); current positive on charge. */
export function writeArbin(samples: readonly ReplaySample[], options: ArbinWriteOptions = {}): Buffer {
  const start_ms = options.start_ms ?? defaultStart_ms;
  const withT = hasField(samples, 't');
  const mits = (options.style ?? 'mits') === 'mits';
  const columns = mits
    ? [
        'Data_Point',
        'Date_Time',
        'Test_Time(s)',
        'Step_Time(s)',
        'Cycle_Index',
        'Step_Index',
        'Current(A)',
        'Voltage(V)',
      ]
    : ['Data_Point', 'Test_Time', 'DateTime', 'Step_Time', 'Step_Index', 'Cycle_Index', 'Current', 'Voltage'];
  if (withT) columns.push(mits ? 'Aux_Temperature_1(C)' : 'Temperature');
  const lines = [columns.join(',')];
  let stepStart_s = 0;
  samples.forEach((sample, k) => {
    if (k === 0 || sample.step !== samples[k - 1]!.step) stepStart_s = sample.time_s;
    const at_ms = start_ms + sample.time_s * 1000;
    const stepTime = String(sample.time_s - stepStart_s);
    const cycle = String(sample.cycle ?? 1);
    const step = String(sample.step ?? 1);
    const fields = mits
      ? [String(k + 1), usDateTime(at_ms, true), String(sample.time_s), stepTime, cycle, step]
      : [String(k + 1), String(sample.time_s), String(Math.floor(at_ms / 1000)), stepTime, step, cycle];
    fields.push(String(sample.i), String(sample.v));
    if (withT) fields.push(sample.t === undefined ? '' : String(sample.t));
    lines.push(fields.join(','));
  });
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

export interface MaccorWriteOptions {
  start_ms?: number;
  /** 'min': `Test (Min)` export; 'testtime': MIMS `TestTime` (minutes) with key/value header; 'duration': `Test Time` as `Dd HH:MM:SS`. */
  timeForm?: 'min' | 'testtime' | 'duration';
}

/** Maccor text export (latin-1, tab separated): unsigned current with the direction in State/Md, per-step capacity. */
export function writeMaccor(samples: readonly ReplaySample[], options: MaccorWriteOptions = {}): Buffer {
  const start_ms = options.start_ms ?? defaultStart_ms;
  const form = options.timeForm ?? 'min';
  const withT = hasField(samples, 't');
  const lines: string[] = [];
  let columns: string[];
  if (form === 'testtime') {
    lines.push(
      'Name:\tSYNTHETIC-RUN',
      'Channel:\t1',
      'Started\t' + usDateTime(start_ms, false),
      'SCap\t0.001',
      '',
    );
    columns = [
      'Rec',
      'Cycle P',
      'Cycle C',
      'Step',
      'TestTime',
      'StepTime',
      'Cap. [Ah]',
      'Current [A]',
      'Voltage [V]',
      'Md',
      'ES',
      'DPT Time',
    ];
  } else {
    lines.push(
      `Today's Date 05/02/2024  Date of Test:\t${usDateTime(start_ms, false).slice(0, 10)}\t Filename:\tsynthetic.001`,
    );
    const time = form === 'min' ? 'Test (Min)' : 'Test Time';
    columns = [
      'Rec#',
      'Cyc#',
      'Step',
      time,
      'Step (Min)',
      'Amp-hr',
      'Amps',
      'Volts',
      'State',
      'ES',
      'DPt Time',
    ];
  }
  if (withT) columns.push('Temp 1');
  lines.push(columns.join('\t'));
  if (form === 'testtime') lines.push('');
  let stepStart_s = 0;
  let capacity_Ah = 0;
  samples.forEach((sample, k) => {
    const previous = samples[k - 1];
    if (!previous || sample.step !== previous.step) {
      stepStart_s = sample.time_s;
      capacity_Ah = 0;
    } else capacity_Ah += (Math.abs(sample.i) * (sample.time_s - previous.time_s)) / 3600;
    const state = sample.i > 0 ? 'C' : sample.i < 0 ? 'D' : 'R';
    const minutes = String(sample.time_s / 60);
    const testTime =
      form === 'duration'
        ? `${Math.floor(sample.time_s / 86400)}d ${duration(sample.time_s % 86400)}`
        : minutes;
    const stepMinutes = String((sample.time_s - stepStart_s) / 60);
    const date = usDateTime(start_ms + sample.time_s * 1000, false);
    const cycle = String(sample.cycle ?? 0);
    const step = String(sample.step ?? 1);
    const amps = String(Math.abs(sample.i));
    const fields = [
      String(k + 1),
      // The test-time form has one more column after the record number.
      ...(form === 'testtime' ? ['0'] : []),
      cycle,
      step,
      testTime,
      stepMinutes,
      String(capacity_Ah),
      amps,
      String(sample.v),
      state,
      '1',
      date,
    ];
    if (withT) fields.push(String(sample.t ?? 0));
    lines.push(form === 'testtime' ? `${fields.join('\t')}\t` : fields.join('\t'));
  });
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

export interface NewareWriteOptions {
  start_ms?: number;
  currentUnit?: 'A' | 'mA';
  /** Write |current| and leave the direction to `Step Type`, as some exports do. */
  unsigned?: boolean;
  /** 'nested': the cycle / step / record export (current in mA, step times only). */
  layout?: 'flat' | 'nested';
}

function writeNestedNeware(samples: readonly ReplaySample[], options: NewareWriteOptions): Buffer {
  const start_ms = options.start_ms ?? defaultStart_ms;
  const withT = hasField(samples, 't');
  const lines = [
    'Cycle ID,Cap_Chg(mAh),Cap_DChg(mAh)',
    ',Step ID,Step Name,Step Time(h:min:s.ms),Capacity(mAh)',
    `,,Record ID,Time(h:min:s.ms),Voltage(V),Current(mA),${withT ? 'Temperature(°C),' : ''}Capacity(mAh),Realtime`,
  ];
  // Step k runs from its first sample to the next step's first sample (the last step to its last sample).
  const stepStarts = samples.flatMap((s, k) => (k === 0 || s.step !== samples[k - 1]!.step ? [k] : []));
  stepStarts.forEach((first, n) => {
    const next = stepStarts[n + 1];
    const startSample = samples[first]!;
    const end_s = next === undefined ? samples.at(-1)!.time_s : samples[next]!.time_s;
    if (n === 0 || startSample.cycle !== samples[first - 1]!.cycle)
      lines.push(`${startSample.cycle ?? 1},0,0`);
    const name = startSample.i > 0 ? 'CC_Chg' : startSample.i < 0 ? 'CC_DChg' : 'Rest';
    lines.push(`,${startSample.step ?? n + 1},${name},${duration(end_s - startSample.time_s)},0`);
    for (let k = first; k < (next ?? samples.length); k++) {
      const sample = samples[k]!;
      const fields = ['', '', String(k + 1), duration(sample.time_s - startSample.time_s), String(sample.v)];
      fields.push(String(sample.i * 1000));
      if (withT) fields.push(String(sample.t ?? ''));
      fields.push('0', isoDateTime(start_ms + sample.time_s * 1000));
      lines.push(fields.join(','));
    }
  });
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

/** Neware flat CSV: `Step Type`, `Cumulative Time` as `H:MM:SS`, `Date`; or the nested export. */
export function writeNeware(samples: readonly ReplaySample[], options: NewareWriteOptions = {}): Buffer {
  if (options.layout === 'nested') return writeNestedNeware(samples, options);
  const start_ms = options.start_ms ?? defaultStart_ms;
  const unit = options.currentUnit ?? 'mA';
  const withT = hasField(samples, 't');
  const columns = ['DataPoint', 'Cycle Index', 'Step Index', 'Step Type', 'Time', 'Cumulative Time'];
  columns.push(`Current(${unit})`, 'Voltage(V)', 'Capacity(Ah)', 'Date');
  if (withT) columns.push('T1(℃)');
  const lines = [columns.join(',')];
  let stepStart_s = 0;
  samples.forEach((sample, k) => {
    if (k === 0 || sample.step !== samples[k - 1]!.step) stepStart_s = sample.time_s;
    const type = sample.i > 0 ? 'CC Chg' : sample.i < 0 ? 'CC DChg' : 'Rest';
    const current = (options.unsigned ? Math.abs(sample.i) : sample.i) * (unit === 'mA' ? 1000 : 1);
    const fields = [String(k + 1), String(sample.cycle ?? 1), String(sample.step ?? 1), type];
    fields.push(
      duration(sample.time_s - stepStart_s),
      duration(sample.time_s),
      String(current),
      String(sample.v),
      '0',
    );
    fields.push(isoDateTime(start_ms + sample.time_s * 1000));
    if (withT) fields.push(String(sample.t ?? ''));
    lines.push(fields.join(','));
  });
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** Battery Archive time series CSV; empty temperature fields when the run has none. */
export function writeBatteryArchive(
  samples: readonly ReplaySample[],
  options: { start_ms?: number } = {},
): Buffer {
  const start_ms = options.start_ms ?? defaultStart_ms;
  const lines = [
    'Date_Time,Test_Time (s),Cycle_Index,Current (A),Voltage (V),Charge_Capacity (Ah),Discharge_Capacity (Ah),Charge_Energy (Wh),Discharge_Energy (Wh),Environment_Temperature (C),Cell_Temperature (C)',
  ];
  const offset_s = 30.009;
  for (const sample of samples) {
    const fields = [isoDateTime(start_ms + sample.time_s * 1000), String(offset_s + sample.time_s)];
    fields.push(`${sample.cycle ?? 1}.0`, String(sample.i), String(sample.v), '0.0', '0.0', '0.0', '0.0', '');
    fields.push(sample.t === undefined ? '' : String(sample.t));
    lines.push(fields.join(','));
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

export interface CsvWriteOptions {
  header?: boolean;
  bom?: boolean;
  delimiter?: ',' | ';' | '\t';
  currentUnit?: 'A' | 'mA';
}

/**
 * Generic CSV with columns time_s, current, voltage[, temperature][, pressure]; the map that reads it
 * back is `time=1,current=2:<unit>,voltage=3[,temperature=4][,pressure=5]` (see `csvMapFor`).
 */
export function writeCsv(samples: readonly ReplaySample[], options: CsvWriteOptions = {}): Buffer {
  const delimiter = options.delimiter ?? ',';
  const unit = options.currentUnit ?? 'A';
  const withT = hasField(samples, 't');
  const withP = hasField(samples, 'p');
  const lines: string[] = [];
  if (options.header ?? true) {
    const names = ['Time (s)', `Current (${unit})`, 'Voltage (V)'];
    if (withT) names.push('Temperature (C)');
    if (withP) names.push('Pressure (MPa)');
    lines.push(names.join(delimiter));
  }
  for (const sample of samples) {
    const fields = [String(sample.time_s), String(sample.i * (unit === 'mA' ? 1000 : 1)), String(sample.v)];
    if (withT) fields.push(sample.t === undefined ? '' : String(sample.t));
    if (withP) fields.push(sample.p === undefined ? '' : String(sample.p));
    lines.push(fields.join(delimiter));
  }
  return Buffer.from((options.bom ? '\uFEFF' : '') + lines.join('\n') + '\n', 'utf8');
}

/** The column map that reads back what `writeCsv` wrote. */
export function csvMapFor(samples: readonly ReplaySample[], options: CsvWriteOptions = {}): string {
  const parts = ['time=1', `current=2:${options.currentUnit ?? 'A'}`, 'voltage=3'];
  let next = 4;
  if (hasField(samples, 't')) parts.push(`temperature=${next++}`);
  if (hasField(samples, 'p')) parts.push(`pressure=${next}`);
  return parts.join(',');
}
