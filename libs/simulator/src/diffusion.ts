/**
 * Salt concentration between two planar electrodes a gap L apart, solved by finite volumes on a grid
 * refined towards both walls, implicit (backward Euler) in time with a tridiagonal solve per step.
 *
 * It is deliberately independent of libs/physics (which uses an exact cosine-mode series): the simulator
 * is meant to check the detectors, so it must not share their numerics.
 *
 * Equation: dc/dt = D d²c/dx², 0 < x < L, with the salt flux N = t_a·J/F (z = 1) leaving the electrolyte
 * at the plating wall and entering at the stripping wall (binary electrolyte, Newman "Electrochemical
 * Systems" ch. 12; the same boundary condition as Chazalviel, Phys. Rev. A 42:7355 (1990)). SI units.
 */
export class GapDiffusion {
  readonly cells: number;
  private readonly width_m: Float64Array;
  private readonly centreDistance_m: Float64Array;
  private readonly c_mol_m3: Float64Array;
  private readonly lower: Float64Array;
  private readonly diag: Float64Array;
  private readonly upper: Float64Array;
  private readonly rhs: Float64Array;
  private lastFlux_mol_m2_s = 0;
  private sinceFluxChange_s = 0;

  /**
   * @param gap_m electrode separation L
   * @param initial_mol_m3 uniform initial concentration c0
   * @param halfCells cells in each half of the gap (geometric widths, ratio 1.1, finest at the walls)
   */
  constructor(
    readonly gap_m: number,
    readonly initial_mol_m3: number,
    halfCells = 40,
  ) {
    if (!(gap_m > 0) || !(initial_mol_m3 > 0)) throw new RangeError('gap and concentration must be positive');
    const ratio = 1.1;
    const first_m = ((gap_m / 2) * (ratio - 1)) / (Math.pow(ratio, halfCells) - 1);
    this.cells = 2 * halfCells;
    this.width_m = new Float64Array(this.cells);
    for (let k = 0; k < halfCells; k++) {
      const w = first_m * Math.pow(ratio, k);
      this.width_m[k] = w;
      this.width_m[this.cells - 1 - k] = w;
    }
    this.centreDistance_m = new Float64Array(this.cells - 1);
    for (let k = 0; k < this.cells - 1; k++) {
      this.centreDistance_m[k] = (this.width_m[k]! + this.width_m[k + 1]!) / 2;
    }
    this.c_mol_m3 = new Float64Array(this.cells).fill(initial_mol_m3);
    this.lower = new Float64Array(this.cells);
    this.diag = new Float64Array(this.cells);
    this.upper = new Float64Array(this.cells);
    this.rhs = new Float64Array(this.cells);
  }

  /**
   * Advances by duration_s with diffusivity D and a salt flux N (mol/m²/s) removed at x = 0 and added at
   * x = L (N > 0 when Li plates at x = 0). Sub-steps start small after a change of flux (the surface
   * concentration moves like sqrt(t) there) and grow to at most maxStep_s.
   * `floor_mol_m3` keeps the concentration from going negative after depletion, when in a real cell the
   * current is carried by dendrite growth into the electrolyte instead.
   */
  advance(duration_s: number, diffusivity_m2_s: number, flux_mol_m2_s: number, floor_mol_m3 = 0): void {
    // Only a real change of current restarts the fine sub-stepping (a short makes the flux wobble slightly).
    const change = Math.abs(flux_mol_m2_s - this.lastFlux_mol_m2_s);
    if (change > 0.02 * Math.max(Math.abs(flux_mol_m2_s), Math.abs(this.lastFlux_mol_m2_s)))
      this.sinceFluxChange_s = 0;
    this.lastFlux_mol_m2_s = flux_mol_m2_s;
    const diffusionTime_s = (this.gap_m * this.gap_m) / diffusivity_m2_s;
    // Backward Euler is exact for the steady profile, so long steps are safe once the transient has passed.
    const maxStep_s = Math.min(30, diffusionTime_s / 5);
    let left_s = duration_s;
    while (left_s > 1e-12) {
      const step_s = Math.min(
        left_s,
        maxStep_s,
        Math.max(0.15 * this.sinceFluxChange_s, diffusionTime_s * 1e-7),
      );
      this.implicitStep(step_s, diffusivity_m2_s, flux_mol_m2_s, floor_mol_m3);
      left_s -= step_s;
      this.sinceFluxChange_s += step_s;
    }
  }

  private implicitStep(step_s: number, d_m2_s: number, flux: number, floor_mol_m3: number): void {
    const n = this.cells;
    for (let k = 0; k < n; k++) {
      const w = this.width_m[k]!;
      const left = k > 0 ? (d_m2_s * step_s) / this.centreDistance_m[k - 1]! : 0;
      const right = k < n - 1 ? (d_m2_s * step_s) / this.centreDistance_m[k]! : 0;
      this.lower[k] = -left;
      this.upper[k] = -right;
      this.diag[k] = w + left + right;
      this.rhs[k] = w * this.c_mol_m3[k]!;
    }
    this.rhs[0] = this.rhs[0]! - flux * step_s;
    this.rhs[n - 1] = this.rhs[n - 1]! + flux * step_s;
    // Thomas algorithm.
    for (let k = 1; k < n; k++) {
      const m = this.lower[k]! / this.diag[k - 1]!;
      this.diag[k] = this.diag[k]! - m * this.upper[k - 1]!;
      this.rhs[k] = this.rhs[k]! - m * this.rhs[k - 1]!;
    }
    this.c_mol_m3[n - 1] = this.rhs[n - 1]! / this.diag[n - 1]!;
    for (let k = n - 2; k >= 0; k--) {
      this.c_mol_m3[k] = (this.rhs[k]! - this.upper[k]! * this.c_mol_m3[k + 1]!) / this.diag[k]!;
    }
    if (floor_mol_m3 > 0) {
      for (let k = 0; k < n; k++) if (this.c_mol_m3[k]! < floor_mol_m3) this.c_mol_m3[k] = floor_mol_m3;
    }
  }

  /** Concentration at the x = 0 wall (linear extrapolation from the first cell with the wall flux). */
  surfaceAtZero_mol_m3(diffusivity_m2_s: number): number {
    const c = this.c_mol_m3[0]! - (this.width_m[0]! / 2) * (this.lastFlux_mol_m2_s / diffusivity_m2_s);
    return Math.max(c, 0);
  }

  /** Concentration at the x = L wall. */
  surfaceAtGap_mol_m3(diffusivity_m2_s: number): number {
    const last = this.cells - 1;
    const c = this.c_mol_m3[last]! + (this.width_m[last]! / 2) * (this.lastFlux_mol_m2_s / diffusivity_m2_s);
    return Math.max(c, 0);
  }

  /** Salt per unit electrode area (mol/m²): conserved while no floor is applied. */
  totalSalt_mol_m2(): number {
    let total = 0;
    for (let k = 0; k < this.cells; k++) total += this.width_m[k]! * this.c_mol_m3[k]!;
    return total;
  }
}
