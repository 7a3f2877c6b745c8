import { faraday_C_per_mol } from './constants.js';
import { limitingCurrentDensity_A_m2 } from './sand-time.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.js';

export interface DepletionTrackerOptions {
  /** Ambipolar salt diffusivity, m²/s. */
  diffusivity_m2_s: number;
  /** Bulk salt concentration c0, mol/m³. */
  concentration_mol_m3: number;
  /** Anion transference number t_a = 1 - t+. */
  anionTransference: number;
  /** Electrode gap L, m. */
  gap_m: number;
  /** Charge number of the cation, 1 for Li+. */
  chargeNumber?: number;
  /** Factor f >= 1 applied to the current density for tips and inhomogeneity (PHYSICS.md §1). */
  currentAmplification?: number;
}

export interface DepletionState {
  /** Salt concentration at each electrode surface, mol/m³ (clamped at 0 once depleted). */
  surfaceConcentration_mol_m3: { negative: number; positive: number };
  /** 1 - c_s/c0 at the electrode now plating (at rest: the more depleted one), in [0, 1]. */
  depletionFraction: number;
  /** Time until c_s reaches 0 at the plating electrode if the present current is held; Infinity if never. */
  timeToDepletion_s: number;
  /** f*|J| / J*. */
  jOverJstar: number;
}

/** Odd cosine modes kept one by one (n = 1, 3, …, 2M-1); higher ones are grouped. */
const exactModes = 12;
/** Ratio between the edges of successive mode groups in n (0.5 in ln(lambda)). */
const groupRatio = Math.exp(0.25);
/** Modes faster than this (1/s) are taken as settled at once; error ≈ 1/sqrt(pi*lambda*t) of the tail. */
const settledRate_per_s = 1e6;
/** exp(-x) below e^-50 is treated as 0. */
const negligibleExponent = 50;

/**
 * Li+ salt depletion between two planar electrodes a gap L apart, for any piecewise-constant current
 * history, updated exactly per sample.
 *
 * Model (PHYSICS.md §1; Zhang & Han 2024 §2.2): 1-D diffusion of the salt with constant D, salt flux
 * `N = t_a*f*J/(z*F)` leaving the electrolyte at the plating electrode and entering it at the other.
 * With u = c0 - c, the solution is a series of odd cosine modes cos(n*pi*x/L); a step in flux N adds to
 * mode n the amount `4*N*L/(n²*pi²*D) * (1 - exp(-n²*pi²*D*t/L²))`, so c(0) = c0 - U and c(L) = c0 + U
 * with U the sum of the mode amplitudes (the profile is antisymmetric and the salt inventory is
 * conserved). Each mode relaxes exponentially, so a piecewise-constant current is integrated exactly.
 *
 * The short-time (semi-infinite, Sand) regime needs very many modes when L >> sqrt(D*t); above
 * n = 2M the modes are therefore lumped into groups spaced geometrically in n (each group's rate
 * pi²*D*n_lo*n_hi/L² keeps its steady share exact), the same quadrature that underlies the
 * sum-of-exponentials kernel of Jiang et al. (arXiv:1511.03453), and modes faster than 1e6 1/s are
 * taken as settled. The steady state is exact (J/J* law), the Sand limit within ~0.5 %.
 *
 * Sign of J: positive = Li plated on the negative electrode (x = 0), negative = on the positive (x = L).
 * Example: `new DepletionTracker({ diffusivity_m2_s: 3e-10, concentration_mol_m3: 1000,
 * anionTransference: 0.62, gap_m: 25e-6 }).update(1, 10)`.
 */
export class DepletionTracker {
  private readonly concentration_mol_m3: number;
  private readonly anionTransference: number;
  private readonly gap_m: number;
  private readonly chargeNumber: number;
  private readonly currentAmplification: number;
  /** Mode (or group) index in n: the group's n_lo*n_hi, or n² for a single mode. */
  private readonly nSquared: Float64Array;
  /** Source of each mode per unit flux, 1/m: da/dt = -lambda*a + weight*N. */
  private readonly weight_per_m: Float64Array;
  /** Edge in n above which modes are taken as settled. */
  private readonly settledFromN: number;
  /** Correction making the grouped tail's steady state equal to the exact series. */
  private readonly tailScale: number;
  private readonly rate_per_s: Float64Array;
  private readonly amplitude_mol_m3: Float64Array;
  private readonly decay: Float64Array;
  /** Steady amplitude per unit flux, s/m (= weight/rate). */
  private readonly steadyPerFlux_s_m: Float64Array;
  /** Scratch for the root search: direction*(a_i - s_i). */
  private readonly offset_mol_m3: Float64Array;
  private steadyTotal_mol_m3 = 0;
  private value = 0;
  private slope = 0;
  private decayDt_s = NaN;
  private diffusivity_m2_s: number;
  /** Steady contribution of the settled modes per unit flux, s/m (times N gives mol/m³). */
  private settledGain_s_m = 0;
  private limitingCurrent_A_m2 = Infinity;
  private flux_mol_m2_s = 0;
  private currentDensity_A_m2 = 0;
  /** Last prediction, to start the next root search near it. */
  private lastPrediction_s = NaN;

  constructor(options: DepletionTrackerOptions) {
    this.concentration_mol_m3 = options.concentration_mol_m3;
    this.anionTransference = options.anionTransference;
    this.gap_m = options.gap_m;
    this.chargeNumber = options.chargeNumber ?? 1;
    this.currentAmplification = options.currentAmplification ?? 1;
    if (!(this.currentAmplification >= 1))
      throw new RangeError(`current amplification must be >= 1, got ${this.currentAmplification}`);
    if (!(this.chargeNumber > 0)) throw new RangeError(`charge number must be > 0, got ${this.chargeNumber}`);
    this.diffusivity_m2_s = options.diffusivity_m2_s;
    // Validates D, c0, t_a and L.
    this.limitingCurrent_A_m2 = limitingCurrentDensity_A_m2(this.transportInput());

    const L = this.gap_m;
    const nSquared: number[] = [];
    const weights: number[] = [];
    for (let k = 0; k < exactModes; k++) {
      const n = 2 * k + 1;
      nSquared.push(n * n);
      weights.push(4 / L);
    }
    // Groups of odd modes between edges e_lo..e_hi hold (e_hi - e_lo)/2 modes of weight 4/L each.
    const firstEdge = 2 * exactModes;
    const settledFromN = Math.max(
      firstEdge,
      (L / Math.PI) * Math.sqrt(settledRate_per_s / options.diffusivity_m2_s),
    );
    let lo = firstEdge;
    while (lo < settledFromN) {
      const hi = Math.min(lo * groupRatio, settledFromN);
      nSquared.push(lo * hi);
      weights.push((2 * (hi - lo)) / L);
      lo = hi;
    }
    this.settledFromN = settledFromN;
    // Exact steady share of the modes above n = 2M-1: sum over odd n of 1/n² = pi²/8.
    let exactHead = 0;
    for (let k = 0; k < exactModes; k++) exactHead += 1 / ((2 * k + 1) * (2 * k + 1));
    const exactTail = Math.PI ** 2 / 8 - exactHead;
    // The grouped tail plus the settled part integrate 1/(2n²) from 2M: 1/(4M).
    this.tailScale = exactTail / (1 / (4 * exactModes));
    for (let i = exactModes; i < weights.length; i++) weights[i] = (weights[i] ?? 0) * this.tailScale;

    this.nSquared = Float64Array.from(nSquared);
    this.weight_per_m = Float64Array.from(weights);
    this.rate_per_s = new Float64Array(nSquared.length);
    this.amplitude_mol_m3 = new Float64Array(nSquared.length);
    this.decay = new Float64Array(nSquared.length);
    this.steadyPerFlux_s_m = new Float64Array(nSquared.length);
    this.offset_mol_m3 = new Float64Array(nSquared.length);
    this.setDiffusivity_m2_s(options.diffusivity_m2_s);
  }

  /** Number of exponential terms carried (cost per update is proportional to it). */
  get modeCount(): number {
    return this.nSquared.length;
  }

  /** J* of the cell at the present diffusivity, A/m². */
  get limitingCurrentDensity_A_m2(): number {
    return this.limitingCurrent_A_m2;
  }

  /**
   * Changes D (e.g. with temperature). The modes keep their amplitudes (the profile does not jump);
   * only their rates and steady values change.
   */
  setDiffusivity_m2_s(diffusivity_m2_s: number): void {
    if (!(diffusivity_m2_s > 0))
      throw new RangeError(`diffusivity must be > 0 m²/s, got ${diffusivity_m2_s}`);
    this.diffusivity_m2_s = diffusivity_m2_s;
    const base_per_s = (Math.PI * Math.PI * diffusivity_m2_s) / (this.gap_m * this.gap_m);
    for (let i = 0; i < this.nSquared.length; i++) {
      const rate_per_s = base_per_s * (this.nSquared[i] ?? 0);
      this.rate_per_s[i] = rate_per_s;
      this.steadyPerFlux_s_m[i] = (this.weight_per_m[i] ?? 0) / rate_per_s;
    }
    // Settled odd modes above settledFromN: sum of 4L/(n²pi²D) ≈ 2L/(pi² D n_cut).
    this.settledGain_s_m =
      (this.tailScale * 2 * this.gap_m) / (Math.PI * Math.PI * diffusivity_m2_s * this.settledFromN);
    this.limitingCurrent_A_m2 = limitingCurrentDensity_A_m2(this.transportInput());
    this.decayDt_s = NaN;
  }

  /** Back to a uniform electrolyte at c0 (new run). */
  reset(): void {
    this.amplitude_mol_m3.fill(0);
    this.flux_mol_m2_s = 0;
    this.currentDensity_A_m2 = 0;
    this.lastPrediction_s = NaN;
  }

  /**
   * Advances the state by dt_s with current density J (A/m², see the sign convention above) held
   * during the interval, and returns the state at its end with the prediction for J held further.
   */
  update(dt_s: number, currentDensity_A_m2: number): DepletionState {
    const flux = this.fluxOf(currentDensity_A_m2);
    if (dt_s > 0) {
      if (dt_s !== this.decayDt_s) this.computeDecay(dt_s);
      const a = this.amplitude_mol_m3;
      for (let i = 0; i < a.length; i++) {
        const steady = (this.steadyPerFlux_s_m[i] ?? 0) * flux;
        a[i] = steady + ((a[i] ?? 0) - steady) * (this.decay[i] ?? 0);
      }
    }
    // The previous prediction, moved on by dt, seeds the next root search (exact if J is unchanged).
    if (Math.sign(flux) !== Math.sign(this.flux_mol_m2_s)) this.lastPrediction_s = NaN;
    else if (Number.isFinite(this.lastPrediction_s))
      this.lastPrediction_s = Math.max(0, this.lastPrediction_s - dt_s);
    this.flux_mol_m2_s = flux;
    this.currentDensity_A_m2 = currentDensity_A_m2;
    return this.state();
  }

  /**
   * exp(-lambda_i*dt) for every mode. The single modes have lambda = n²*lambda_1 (n odd), so their
   * factors follow from q = exp(-lambda_1*dt) by products: q^((n+2)²) = q^(n²) * q^(4n+4), and
   * q^(4n+4) advances by q^8; only the grouped modes need an exp each.
   */
  private computeDecay(dt_s: number): void {
    const x1 = (this.rate_per_s[0] ?? 0) * dt_s;
    const q = Math.exp(-x1);
    const q8 = q ** 8;
    let power = q; // q^(n²) for n = 1
    let step = q ** 8; // q^(4n+4) for n = 1
    for (let i = 0; i < exactModes; i++) {
      this.decay[i] = power;
      power *= step;
      step *= q8;
    }
    for (let i = exactModes; i < this.rate_per_s.length; i++) {
      const x = (this.rate_per_s[i] ?? 0) * dt_s;
      this.decay[i] = x > negligibleExponent ? 0 : Math.exp(-x);
    }
    this.decayDt_s = dt_s;
  }

  /** The state now, without advancing time. */
  current(): DepletionState {
    return this.state();
  }

  private transportInput(): {
    diffusivity_m2_s: number;
    concentration_mol_m3: number;
    anionTransference: number;
    gap_m: number;
    chargeNumber: number;
  } {
    return {
      diffusivity_m2_s: this.diffusivity_m2_s,
      concentration_mol_m3: this.concentration_mol_m3,
      anionTransference: this.anionTransference,
      gap_m: this.gap_m,
      chargeNumber: this.chargeNumber,
    };
  }

  private fluxOf(currentDensity_A_m2: number): number {
    return (
      (this.anionTransference * this.currentAmplification * currentDensity_A_m2) /
      (this.chargeNumber * faraday_C_per_mol)
    );
  }

  /** U = c0 - c(0) = c(L) - c0 now, mol/m³. */
  private depletionNow_mol_m3(): number {
    let u = this.settledGain_s_m * this.flux_mol_m2_s;
    const a = this.amplitude_mol_m3;
    for (let i = 0; i < a.length; i++) u += a[i] ?? 0;
    return u;
  }

  private state(): DepletionState {
    const c0 = this.concentration_mol_m3;
    const u = this.depletionNow_mol_m3();
    const negative = Math.max(0, c0 - u);
    const positive = Math.max(0, c0 + u);
    const direction = Math.sign(this.flux_mol_m2_s);
    const depleted_mol_m3 = direction === 0 ? Math.abs(u) : direction * u;
    const depletionFraction = Math.min(1, Math.max(0, depleted_mol_m3 / c0));
    const jOverJstar =
      this.limitingCurrent_A_m2 === Infinity
        ? 0
        : (this.currentAmplification * Math.abs(this.currentDensity_A_m2)) / this.limitingCurrent_A_m2;
    let timeToDepletion_s = Infinity;
    if (direction !== 0) {
      timeToDepletion_s = depleted_mol_m3 >= c0 ? 0 : this.predictDepletion_s(direction);
      this.lastPrediction_s = timeToDepletion_s;
    }
    return {
      surfaceConcentration_mol_m3: { negative, positive },
      depletionFraction,
      timeToDepletion_s,
      jOverJstar,
    };
  }

  /**
   * First t >= 0 at which direction*U(t) reaches c0 with the present flux held:
   * direction*U(t) = S + sum_i g_i exp(-lambda_i t), S the steady value, g_i = direction*(a_i - s_i).
   * Modes with g_i < 0 rise (an increasing, concave part R(t)); modes with g_i > 0 fall (after a
   * current decrease or reversal), by at most F = sum of those g_i. So R(t) <= U(t) <= R(t) + F, and
   * the first crossing lies between the roots of R + F = c0 (t_lo) and R = c0 (t_hi), each found by
   * Newton, which converges monotonically on a concave increasing curve.
   */
  private predictDepletion_s(direction: number): number {
    const c0 = this.concentration_mol_m3;
    const a = this.amplitude_mol_m3;
    const flux = this.flux_mol_m2_s;
    const g = this.offset_mol_m3;
    let steadyTotal = direction * this.settledGain_s_m * flux;
    let falling = 0;
    for (let i = 0; i < a.length; i++) {
      const steady = direction * (this.steadyPerFlux_s_m[i] ?? 0) * flux;
      steadyTotal += steady;
      const offset = direction * (a[i] ?? 0) - steady;
      g[i] = offset;
      if (offset > 0) falling += offset;
    }
    this.steadyTotal_mol_m3 = steadyTotal;
    // Cheap exit: the curve never exceeds S + F (always the case below J* from rest).
    if (steadyTotal + falling < c0) return Infinity;
    const guess_s = Number.isFinite(this.lastPrediction_s)
      ? this.lastPrediction_s
      : this.semiInfiniteGuess_s(direction);
    const earliest_s = this.solveRising_s(c0 - falling, guess_s);
    // Only falling modes can carry the curve to c0: a genuine non-monotonic case.
    if (steadyTotal <= c0) return this.scanForDepletion_s(earliest_s);
    if (falling === 0) return earliest_s;
    if (falling <= 1e-3 * (c0 - direction * this.depletionNow_mol_m3())) {
      // Small falling part (noise on a steady current): one Newton step on the full curve from t_lo,
      // where it is below c0, is accurate to second order in F.
      this.evaluate(earliest_s, false);
      if (!(this.slope > 0)) return earliest_s;
      return earliest_s + Math.max(0, (c0 - this.value) / this.slope);
    }
    const latest_s = this.solveRising_s(c0, earliest_s);
    if (latest_s - earliest_s <= 1e-6 * latest_s) return earliest_s;
    return this.bracketedRoot_s(earliest_s, latest_s);
  }

  /** Semi-infinite estimate U(t) ≈ U_now + 2N*sqrt(t/(pi*D)) solved for U = c0 (Sand with a head start). */
  private semiInfiniteGuess_s(direction: number): number {
    const deficit_mol_m3 = Math.max(0, this.concentration_mol_m3 - direction * this.depletionNow_mol_m3());
    return Math.PI * this.diffusivity_m2_s * (deficit_mol_m3 / (2 * this.flux_mol_m2_s)) ** 2;
  }

  /** Root of R(t) = target by Newton, R the rising part (falling modes counted as settled). */
  private solveRising_s(target_mol_m3: number, guess_s: number): number {
    let t = Math.max(0, guess_s);
    this.evaluate(t, true);
    if (t > 0 && this.value > target_mol_m3) {
      // A guess past the root: the tangent step lands left of it, possibly below 0.
      const next = t + (target_mol_m3 - this.value) / this.slope;
      if (!(next > 0)) {
        this.evaluate(0, true);
        if (this.value >= target_mol_m3) return 0;
        t = 0;
      }
    }
    for (let iteration = 0; iteration < 100; iteration++) {
      if (!(this.slope > 0)) break;
      // Tangents of a concave curve lie above it: from the left the iterates increase to the root.
      const next = Math.max(0, t + (target_mol_m3 - this.value) / this.slope);
      const moved = Math.abs(next - t);
      t = next;
      if (moved <= 1e-7 * t + 1e-12) break;
      this.evaluate(t, true);
    }
    return t;
  }

  /** Safeguarded Newton on the full curve between t_lo (below c0) and t_hi (at or above c0). */
  private bracketedRoot_s(lo_s: number, hi_s: number): number {
    const c0 = this.concentration_mol_m3;
    let lo = lo_s;
    let hi = hi_s;
    let t = lo;
    for (let iteration = 0; iteration < 60; iteration++) {
      this.evaluate(t, false);
      if (this.value >= c0) hi = t;
      else lo = t;
      let next = this.slope > 0 ? t + (c0 - this.value) / this.slope : NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (Math.abs(next - t) <= 1e-7 * next || hi - lo <= 1e-7 * hi) return next;
      t = next;
    }
    return hi;
  }

  /** Rare case (after reversals, below J*): scan forward geometrically for a crossing, then bisect. */
  private scanForDepletion_s(from_s: number): number {
    const c0 = this.concentration_mol_m3;
    const slowest = this.rate_per_s[0] ?? 1;
    const fastest = this.rate_per_s[this.rate_per_s.length - 1] ?? slowest;
    let previous = from_s;
    const end_s = from_s + 60 / slowest;
    let step = 0.01 / fastest;
    while (previous + step < end_s) {
      const t = previous + step;
      this.evaluate(t, false);
      if (this.value >= c0) return this.bracketedRoot_s(previous, t);
      previous = t;
      step *= 1.25;
    }
    return Infinity;
  }

  /**
   * Sets value = direction*U(t) and slope = its time derivative, from the offsets of the last
   * prediction; with risingOnly the falling modes are counted at their steady values.
   */
  private evaluate(t_s: number, risingOnly: boolean): void {
    const g = this.offset_mol_m3;
    const rates = this.rate_per_s;
    let value = this.steadyTotal_mol_m3;
    let slope = 0;
    for (let i = 0; i < g.length; i++) {
      const rate = rates[i] ?? 0;
      const x = rate * t_s;
      // Rates increase with i: every later term is negligible too.
      if (x > negligibleExponent) break;
      const offset = g[i] ?? 0;
      if (risingOnly && offset > 0) continue;
      const term = offset * Math.exp(-x);
      value += term;
      slope -= rate * term;
    }
    this.value = value;
    this.slope = slope;
  }

  /** Checkpoint of this state machine: plain JSON, versioned (see snapshot.ts). */
  snapshot(): Snapshot {
    return takeSnapshot(this, 1);
  }

  /** Continues from a checkpoint of one built with the same configuration; SnapshotError if it does not fit. */
  restore(snapshot: Snapshot): void {
    restoreSnapshot(this, snapshot, 1);
  }
}
