import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faraday_C_per_mol } from './constants.js';
import { DepletionTracker } from './depletion-tracker.js';
import { limitingCurrentDensity_A_m2, sandTime_s } from './sand-time.js';

const c0_mol_m3 = 1000;
const anionTransference = 0.62;

/**
 * Reference: finite-volume solution of dc/dt = D d²c/dx² on [0, L] with salt flux N = t_a*J/F leaving
 * at x = 0 and entering at x = L, on a fine uniform grid, Crank–Nicolson in time with two implicit
 * Euler steps after every change of flux (Rannacher start, so the steps do not ring).
 */
class FiniteVolumeReference {
  readonly c: Float64Array;
  private readonly dx_m: number;
  private lastFlux = NaN;
  private implicitStepsLeft = 0;
  private readonly lower: Float64Array;
  private readonly diag: Float64Array;
  private readonly upper: Float64Array;
  private readonly rhs: Float64Array;

  constructor(
    private readonly diffusivity_m2_s: number,
    gap_m: number,
    cells: number,
  ) {
    this.dx_m = gap_m / cells;
    this.c = new Float64Array(cells).fill(c0_mol_m3);
    this.lower = new Float64Array(cells);
    this.diag = new Float64Array(cells);
    this.upper = new Float64Array(cells);
    this.rhs = new Float64Array(cells);
  }

  advance(duration_s: number, currentDensity_A_m2: number, maxStep_s: number): void {
    const flux = (anionTransference * currentDensity_A_m2) / faraday_C_per_mol;
    if (flux !== this.lastFlux) this.implicitStepsLeft = 2;
    this.lastFlux = flux;
    const steps = Math.max(1, Math.ceil(duration_s / maxStep_s));
    for (let k = 0; k < steps; k++) this.step(duration_s / steps, flux);
  }

  /** Surface values extrapolated from the boundary cells with the imposed gradient D dc/dx = N. */
  surface(): { negative: number; positive: number } {
    const n = this.c.length;
    const gradient = this.lastFlux / this.diffusivity_m2_s;
    return {
      negative: (this.c[0] ?? 0) - 0.5 * this.dx_m * gradient,
      positive: (this.c[n - 1] ?? 0) + 0.5 * this.dx_m * gradient,
    };
  }

  totalSalt_mol_m2(): number {
    let sum = 0;
    for (const value of this.c) sum += value * this.dx_m;
    return sum;
  }

  private step(dt_s: number, flux: number): void {
    const theta = this.implicitStepsLeft > 0 ? 1 : 0.5;
    if (this.implicitStepsLeft > 0) this.implicitStepsLeft--;
    const n = this.c.length;
    const r = (this.diffusivity_m2_s * dt_s) / (this.dx_m * this.dx_m);
    const source = (flux * dt_s) / this.dx_m;
    const c = this.c;
    for (let i = 0; i < n; i++) {
      const left = i > 0 ? (c[i - 1] ?? 0) - (c[i] ?? 0) : 0;
      const right = i < n - 1 ? (c[i + 1] ?? 0) - (c[i] ?? 0) : 0;
      const boundary = i === 0 ? -source : i === n - 1 ? source : 0;
      this.rhs[i] = (c[i] ?? 0) + (1 - theta) * r * (left + right) + boundary;
      const neighbours = (i > 0 ? 1 : 0) + (i < n - 1 ? 1 : 0);
      this.lower[i] = i > 0 ? -theta * r : 0;
      this.upper[i] = i < n - 1 ? -theta * r : 0;
      this.diag[i] = 1 + theta * r * neighbours;
    }
    // Thomas algorithm.
    for (let i = 1; i < n; i++) {
      const m = (this.lower[i] ?? 0) / (this.diag[i - 1] ?? 1);
      this.diag[i] = (this.diag[i] ?? 0) - m * (this.upper[i - 1] ?? 0);
      this.rhs[i] = (this.rhs[i] ?? 0) - m * (this.rhs[i - 1] ?? 0);
    }
    c[n - 1] = (this.rhs[n - 1] ?? 0) / (this.diag[n - 1] ?? 1);
    for (let i = n - 2; i >= 0; i--) {
      c[i] = ((this.rhs[i] ?? 0) - (this.upper[i] ?? 0) * (c[i + 1] ?? 0)) / (this.diag[i] ?? 1);
    }
  }
}

/** The finite-gap series of PHYSICS.md §1 for a unit step in flux, summed far enough to converge. */
function seriesDepletion_mol_m3(
  flux: number,
  gap_m: number,
  diffusivity_m2_s: number,
  time_s: number,
): number {
  let sum = 0;
  for (let n = 1; n < 400_001; n += 2) {
    const x = (n * n * Math.PI * Math.PI * diffusivity_m2_s * time_s) / (gap_m * gap_m);
    if (x > 60 && n > 100) break;
    sum += (4 / (n * n * Math.PI * Math.PI)) * Math.exp(-x);
  }
  return ((flux * gap_m) / diffusivity_m2_s) * (0.5 - sum);
}

function tracker(diffusivity_m2_s: number, gap_m: number): DepletionTracker {
  return new DepletionTracker({
    diffusivity_m2_s,
    concentration_mol_m3: c0_mol_m3,
    anionTransference,
    gap_m,
  });
}

describe('DepletionTracker', () => {
  it('matches the finite-gap series solution after a current step, from 1 ms to steady state', () => {
    const diffusivity_m2_s = 3e-10;
    for (const gap_m of [25e-6, 1e-3, 1e-2]) {
      const model = tracker(diffusivity_m2_s, gap_m);
      const currentDensity_A_m2 = 1;
      const flux = (anionTransference * currentDensity_A_m2) / faraday_C_per_mol;
      let time_s = 0;
      for (const next_s of [1e-3, 1e-2, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6]) {
        const state = model.update(next_s - time_s, currentDensity_A_m2);
        time_s = next_s;
        const expected = seriesDepletion_mol_m3(flux, gap_m, diffusivity_m2_s, time_s);
        const actual = c0_mol_m3 - state.surfaceConcentration_mol_m3.negative;
        expect(Math.abs(actual - expected) / expected).toBeLessThan(5e-3);
      }
    }
  });

  it("reproduces Sand's time within 2 % when the gap is far larger than the diffusion length", () => {
    const diffusivity_m2_s = 3e-10;
    const gap_m = 0.02;
    for (const currentDensity_A_m2 of [20, 50, 200]) {
      const tau_s = sandTime_s({
        currentDensity_A_m2,
        diffusivity_m2_s,
        concentration_mol_m3: c0_mol_m3,
        anionTransference,
      });
      expect(gap_m / Math.sqrt(diffusivity_m2_s * tau_s)).toBeGreaterThan(9);
      const model = tracker(diffusivity_m2_s, gap_m);
      const dt_s = tau_s / 2000;
      const first = model.update(dt_s, currentDensity_A_m2);
      expect(Math.abs(dt_s + first.timeToDepletion_s - tau_s) / tau_s).toBeLessThan(0.02);
      let time_s = dt_s;
      let state = first;
      while (state.depletionFraction < 1 && time_s < 2 * tau_s) {
        state = model.update(dt_s, currentDensity_A_m2);
        time_s += dt_s;
      }
      expect(Math.abs(time_s - tau_s) / tau_s).toBeLessThan(0.02);
      expect(state.surfaceConcentration_mol_m3.negative).toBe(0);
    }
  });

  it('below J* settles to the steady linear profile: depletion fraction → J/J*, never depletes', () => {
    const diffusivity_m2_s = 3e-10;
    const gap_m = 100e-6;
    const jStar_A_m2 = limitingCurrentDensity_A_m2({
      diffusivity_m2_s,
      concentration_mol_m3: c0_mol_m3,
      anionTransference,
      gap_m,
    });
    const relaxation_s = (gap_m * gap_m) / diffusivity_m2_s;
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 0.99, noNaN: true }),
        fc.boolean(),
        fc.array(fc.double({ min: 0.01, max: 0.5, noNaN: true }), { minLength: 20, maxLength: 60 }),
        (fraction, reversed, steps) => {
          const model = tracker(diffusivity_m2_s, gap_m);
          const currentDensity_A_m2 = (reversed ? -1 : 1) * fraction * jStar_A_m2;
          let state = model.update(0, currentDensity_A_m2);
          let time_s = 0;
          for (let k = 0; time_s < 6 * relaxation_s; k++) {
            const dt_s = (steps[k % steps.length] ?? 0.1) * relaxation_s;
            state = model.update(dt_s, currentDensity_A_m2);
            time_s += dt_s;
            expect(state.timeToDepletion_s).toBe(Infinity);
            expect(state.depletionFraction).toBeLessThan(1);
          }
          expect(Math.abs(state.depletionFraction - fraction) / fraction).toBeLessThan(0.01);
          expect(state.jOverJstar).toBeCloseTo(fraction, 12);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stays within 1 % of c0 of a fine finite-volume solution for random piecewise-constant histories', () => {
    const diffusivity_m2_s = 1e-10;
    const gap_m = 100e-6;
    const jStar_A_m2 = limitingCurrentDensity_A_m2({
      diffusivity_m2_s,
      concentration_mol_m3: c0_mol_m3,
      anionTransference,
      gap_m,
    });
    const segment = fc.record({
      duration_s: fc.double({ min: 0.2, max: 150, noNaN: true }),
      // Rests, reversals and currents up to J* (the linear problem then never goes below zero).
      fractionOfJstar: fc.oneof(
        fc.constant(0),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.constantFrom(-1, 1),
      ),
      samples: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const model = tracker(diffusivity_m2_s, gap_m);
        const reference = new FiniteVolumeReference(diffusivity_m2_s, gap_m, 400);
        const initialSalt = reference.totalSalt_mol_m2();
        let worst_mol_m3 = 0;
        for (const { duration_s, fractionOfJstar, samples } of segments) {
          const currentDensity_A_m2 = fractionOfJstar * jStar_A_m2;
          // Irregular sampling inside the segment: sample k of n at a quadratic spacing.
          let previous_s = 0;
          for (let k = 1; k <= samples; k++) {
            const at_s = duration_s * (k / samples) ** 2;
            const dt_s = at_s - previous_s;
            previous_s = at_s;
            const state = model.update(dt_s, currentDensity_A_m2);
            reference.advance(dt_s, currentDensity_A_m2, 0.02);
            const expected = reference.surface();
            worst_mol_m3 = Math.max(
              worst_mol_m3,
              Math.abs(state.surfaceConcentration_mol_m3.negative - expected.negative),
              Math.abs(state.surfaceConcentration_mol_m3.positive - expected.positive),
            );
          }
        }
        expect(worst_mol_m3).toBeLessThan(0.01 * c0_mol_m3);
        // The reference conserves salt, as the tracker's antisymmetric profile does by construction.
        expect(Math.abs(reference.totalSalt_mol_m2() - initialSalt) / initialSalt).toBeLessThan(1e-9);
      }),
      { numRuns: 25 },
    );
  });

  it('conserves salt and keeps concentrations non-negative for any history (fast-check)', () => {
    const diffusivity_m2_s = 3e-10;
    const gap_m = 50e-6;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 100, noNaN: true }),
            fc.double({ min: -3e4, max: 3e4, noNaN: true }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (history) => {
          const model = tracker(diffusivity_m2_s, gap_m);
          for (const [dt_s, currentDensity_A_m2] of history) {
            const state = model.update(dt_s, currentDensity_A_m2);
            const { negative, positive } = state.surfaceConcentration_mol_m3;
            expect(negative).toBeGreaterThanOrEqual(0);
            expect(positive).toBeGreaterThanOrEqual(0);
            // Equal and opposite fluxes: the two surfaces move by equal and opposite amounts.
            if (negative > 0 && positive > 0) expect(negative + positive).toBeCloseTo(2 * c0_mol_m3, 6);
            expect(state.depletionFraction).toBeGreaterThanOrEqual(0);
            expect(state.depletionFraction).toBeLessThanOrEqual(1);
            if (state.depletionFraction < 1) expect(state.timeToDepletion_s).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('depletes more, and sooner, at a larger current (fast-check)', () => {
    const diffusivity_m2_s = 3e-10;
    const gap_m = 200e-6;
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 3000, noNaN: true }),
        fc.double({ min: 1.01, max: 4, noNaN: true }),
        fc.double({ min: 0.1, max: 500, noNaN: true }),
        (currentDensity_A_m2, factor, time_s) => {
          const low = tracker(diffusivity_m2_s, gap_m).update(time_s, currentDensity_A_m2);
          const high = tracker(diffusivity_m2_s, gap_m).update(time_s, factor * currentDensity_A_m2);
          expect(high.depletionFraction).toBeGreaterThanOrEqual(low.depletionFraction);
          expect(high.timeToDepletion_s).toBeLessThanOrEqual(low.timeToDepletion_s);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('predicts the depletion that stepping the same current then produces, also after a reversal', () => {
    const diffusivity_m2_s = 3e-10;
    const gap_m = 100e-6;
    const jStar_A_m2 = limitingCurrentDensity_A_m2({
      diffusivity_m2_s,
      concentration_mol_m3: c0_mol_m3,
      anionTransference,
      gap_m,
    });
    const histories: [number, number][][] = [
      [[0.2, 3 * jStar_A_m2]],
      [
        [30, -0.9 * jStar_A_m2],
        [0.5, 2 * jStar_A_m2],
      ],
      [
        [0.1, 4 * jStar_A_m2],
        [0.3, 1.2 * jStar_A_m2],
      ],
    ];
    for (const history of histories) {
      const model = tracker(diffusivity_m2_s, gap_m);
      let state = model.update(0, 0);
      for (const [dt_s, currentDensity_A_m2] of history) state = model.update(dt_s, currentDensity_A_m2);
      const held = history[history.length - 1]?.[1] ?? 0;
      const predicted_s = state.timeToDepletion_s;
      expect(predicted_s).toBeGreaterThan(0);
      expect(Number.isFinite(predicted_s)).toBe(true);
      const dt_s = predicted_s / 4000;
      let elapsed_s = 0;
      while (state.depletionFraction < 1 && elapsed_s < 3 * predicted_s) {
        state = model.update(dt_s, held);
        elapsed_s += dt_s;
      }
      expect(Math.abs(elapsed_s - predicted_s) / predicted_s).toBeLessThan(2e-3);
    }
  });

  it('follows a change of diffusivity to the new steady state and resets for a new run', () => {
    const gap_m = 100e-6;
    const model = tracker(3e-10, gap_m);
    const jStar_A_m2 = model.limitingCurrentDensity_A_m2;
    model.update(1000, 0.5 * jStar_A_m2);
    model.setDiffusivity_m2_s(6e-10);
    const settled = model.update(1000, 0.5 * jStar_A_m2);
    expect(settled.depletionFraction).toBeCloseTo(0.25, 6);
    model.reset();
    expect(model.update(0, 0).depletionFraction).toBe(0);
  });

  it('rejects impossible parameters', () => {
    expect(() => tracker(-1, 1e-4)).toThrow(RangeError);
    expect(() => tracker(1e-10, 0)).toThrow(RangeError);
  });
});
