import type { Readable } from 'node:stream';

/** The cycler export formats the readers understand. */
export type ReplayFormat = 'biologic' | 'arbin' | 'maccor' | 'neware' | 'batteryarchive' | 'csv';

export const replayFormats: readonly ReplayFormat[] = [
  'biologic',
  'arbin',
  'maccor',
  'neware',
  'batteryarchive',
  'csv',
];

/**
 * One recorded sample in Sandglass units and sign convention: volts, amperes (positive = charge = Li
 * plated on the negative electrode), °C, MPa. `time_s` is relative to the file's first yielded row.
 */
export interface ReplaySample {
  time_s: number;
  v: number;
  i: number;
  t?: number;
  p?: number;
  cycle?: number;
  step?: number;
}

/** What a reader found: filled in as the file is read (the header part before the first batch). */
export interface ReadSummary {
  format: ReplayFormat;
  /** Physical lines read so far (header included). */
  lines: number;
  /** Data rows seen (yielded + skipped). */
  rows: number;
  /** Samples yielded. */
  samples: number;
  /** Skipped lines or rows, counted per reason ("impedance row", "blank line", ...). */
  skipped: Record<string, number>;
  /**
   * Epoch milliseconds of the first yielded sample, when the file records absolute time. Cycler files
   * carry no time zone: their local clock time is read as UTC.
   */
  start_ms?: number;
  /** Where `start_ms` came from (e.g. "Acquisition started on + time/s"). */
  startSource?: string;
  /** The file's column chosen for each quantity (with the unit as written there). */
  columns: Partial<Record<SampleField, string>>;
  /** Decisions worth telling the user (e.g. "current direction from State column"). */
  notes: string[];
  /**
   * The cycler's own per-cycle statistics, when the export carries them (Neware's regular export), in
   * file order; filled in as the file is read.
   */
  cyclerCycles?: CyclerCycle[];
}

/** One row of a cycler's own per-cycle table, in Sandglass units (NaN where the export lacks a value). */
export interface CyclerCycle {
  cycle: number;
  chargeCapacity_mAh: number;
  dischargeCapacity_mAh: number;
  /** Fraction (the export's percent / 100). */
  coulombicEfficiency: number;
  chargeEnergy_mWh: number;
  dischargeEnergy_mWh: number;
}

export type SampleField = 'time' | 'voltage' | 'current' | 'temperature' | 'pressure' | 'cycle' | 'step';

/** A file the reader cannot read correctly: garbled or truncated, with the 1-based line number. */
export class ReaderError extends Error {
  constructor(
    readonly format: ReplayFormat,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${format} line ${line}: ${reason}`);
    this.name = 'ReaderError';
  }
}

/** A file path, a Node Readable, or any async iterable of byte or text chunks. */
export type ReplaySource = string | Readable | AsyncIterable<Uint8Array | string>;

/**
 * A streaming reader: iterate it for batches of samples (one batch per chunk of input, in file order;
 * batches avoid a promise per row). `summary` fills in as reading proceeds; its header facts
 * (`start_ms`, `columns`) are set before the first batch is yielded.
 */
export interface ReplayReader extends AsyncIterable<ReplaySample[]> {
  readonly summary: ReadSummary;
}

/** Analog input mapping for BioLogic `Analog IN n/V` columns: value × scale + offset. */
export interface AnalogMapping {
  as: 'temperature' | 'pressure';
  /** °C or MPa per recorded unit (default 1: the input is already scaled in EC-Lab). */
  scale?: number;
  offset?: number;
}

export interface ReaderOptions {
  /** Constant current (A) for files that recorded none; without it such files are refused. */
  current_A?: number;
  /** BioLogic: `Analog IN n/V` columns to read as temperature or pressure, keyed by n. */
  analogIn?: Record<number, AnalogMapping>;
}
