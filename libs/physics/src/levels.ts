/** Detector levels, worst last. */
export type Level = 'ok' | 'warning' | 'critical';

const rank: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };
const byRank: readonly Level[] = ['ok', 'warning', 'critical'];

export function levelRank(level: Level): number {
  return rank[level];
}

export function worstLevel(a: Level, b: Level): Level {
  return rank[a] >= rank[b] ? a : b;
}

export interface LevelThresholds {
  warning: number;
  critical: number;
}

/**
 * Level of a value against warning/critical thresholds with a dead band: a level already reached is
 * kept until the value is better than its threshold by `band` (relative), so noise around a threshold
 * does not flap. `higherIsWorse = false` for values that are bad when low (contact fraction).
 * NaN gives 'ok' (nothing known, nothing raised).
 */
export function levelOf(
  value: number,
  thresholds: LevelThresholds,
  current: Level,
  band: number,
  higherIsWorse = true,
): Level {
  if (Number.isNaN(value)) return 'ok';
  if (isWorse(value, thresholds.critical, rank[current] >= 2, band, higherIsWorse)) return 'critical';
  if (isWorse(value, thresholds.warning, rank[current] >= 1, band, higherIsWorse)) return 'warning';
  return 'ok';
}

/** Whether a value is past a threshold; a level already held is kept inside the dead band. */
function isWorse(
  value: number,
  threshold: number,
  held: boolean,
  band: number,
  higherIsWorse: boolean,
): boolean {
  if (higherIsWorse) return value >= (held ? threshold * (1 - band) : threshold);
  return value <= (held ? threshold * (1 + band) : threshold);
}

export interface HysteresisOptions {
  /** Consecutive samples at a worse level before it is raised. */
  raiseSamples: number;
  /** Consecutive samples at a better level before it is lowered. */
  clearSamples: number;
}

/**
 * Debounces a per-sample level: raised after `raiseSamples` consecutive worse samples (to the mildest
 * level of that run), lowered after `clearSamples` consecutive better samples (to the worst of them).
 */
export class LevelHysteresis {
  private current: Level = 'ok';
  private upCount = 0;
  private upLevel = 2;
  private downCount = 0;
  private downLevel = 0;

  constructor(private readonly options: HysteresisOptions) {}

  get level(): Level {
    return this.current;
  }

  update(raw: Level): Level {
    const r = rank[raw];
    const c = rank[this.current];
    if (r > c) {
      this.downCount = 0;
      this.upLevel = this.upCount === 0 ? r : Math.min(this.upLevel, r);
      this.upCount++;
      if (this.upCount >= this.options.raiseSamples) {
        this.current = byRank[this.upLevel] ?? raw;
        this.upCount = 0;
      }
    } else if (r < c) {
      this.upCount = 0;
      this.downLevel = this.downCount === 0 ? r : Math.max(this.downLevel, r);
      this.downCount++;
      if (this.downCount >= this.options.clearSamples) {
        this.current = byRank[this.downLevel] ?? raw;
        this.downCount = 0;
      }
    } else {
      this.upCount = 0;
      this.downCount = 0;
    }
    return this.current;
  }

  reset(): void {
    this.current = 'ok';
    this.upCount = 0;
    this.downCount = 0;
  }
}
