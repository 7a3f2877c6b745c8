/** Seconds per hour and the conversions of the per-cycle outputs (SI inside, mAh / mWh outside). */
const coulombsPerMilliampHour = 3.6; // 1 mAh = 1e-3 A × 3600 s
const joulesPerMilliwattHour = 3.6; // 1 mWh = 1e-3 W × 3600 s

/** Which rule closed the cycle: the cycler's own index on the samples, or the step segmentation. */
export type CycleSource = 'cycler' | 'segmented';

/**
 * The statistics of one cycle. Times are epoch milliseconds of data time; capacities and energies are
 * magnitudes (charge = positive current = Li plated on the negative electrode). `coulombicEfficiency`
 * is a fraction (discharge / charge capacity), null without charge. `meanPolarization_V` is the mean
 * |V| over the active time for symmetric Li|Li cells and mean charge V − mean discharge V otherwise
 * (null when a side is missing); voltage means are time-weighted.
 */
export interface CycleStats {
  cycle: number;
  start: number;
  end: number;
  chargeCapacity_mAh: number;
  dischargeCapacity_mAh: number;
  coulombicEfficiency: number | null;
  chargeEnergy_mWh: number;
  dischargeEnergy_mWh: number;
  meanPolarization_V: number | null;
  meanChargeVoltage_V: number | null;
  meanDischargeVoltage_V: number | null;
  duration_s: number;
  chargeDuration_s: number;
  dischargeDuration_s: number;
  samples: number;
  /** An active charge and an active discharge were both seen. */
  complete: boolean;
  source: CycleSource;
}

/**
 * Running integrals of one cycle (or of the stretch of a candidate step), SI units. Plain fields: the
 * tracker adds to them once per sample, without allocating.
 */
export class CycleAccumulator {
  charge_C = 0;
  discharge_C = 0;
  chargeEnergy_J = 0;
  dischargeEnergy_J = 0;
  chargeVoltageTime_Vs = 0;
  chargeTime_s = 0;
  dischargeVoltageTime_Vs = 0;
  dischargeTime_s = 0;
  absVoltageTime_Vs = 0;
  activeTime_s = 0;
  samples = 0;

  clear(): void {
    this.charge_C = 0;
    this.discharge_C = 0;
    this.chargeEnergy_J = 0;
    this.dischargeEnergy_J = 0;
    this.chargeVoltageTime_Vs = 0;
    this.chargeTime_s = 0;
    this.dischargeVoltageTime_Vs = 0;
    this.dischargeTime_s = 0;
    this.absVoltageTime_Vs = 0;
    this.activeTime_s = 0;
    this.samples = 0;
  }

  add(other: CycleAccumulator): void {
    this.charge_C += other.charge_C;
    this.discharge_C += other.discharge_C;
    this.chargeEnergy_J += other.chargeEnergy_J;
    this.dischargeEnergy_J += other.dischargeEnergy_J;
    this.chargeVoltageTime_Vs += other.chargeVoltageTime_Vs;
    this.chargeTime_s += other.chargeTime_s;
    this.dischargeVoltageTime_Vs += other.dischargeVoltageTime_Vs;
    this.dischargeTime_s += other.dischargeTime_s;
    this.absVoltageTime_Vs += other.absVoltageTime_Vs;
    this.activeTime_s += other.activeTime_s;
    this.samples += other.samples;
  }

  /**
   * Adds the interval between two samples. Charge and energy are integrated with the trapezoid rule
   * over the real time step, Q = ½(i₀ + i₁)Δt and E = ½(v₀i₀ + v₁i₁)Δt (e.g. Süli & Mayers, *An
   * Introduction to Numerical Analysis*, 2003, §7.1); an interval whose current changes sign is split
   * at the linearly interpolated zero crossing, so each side gets only its own charge. Voltage means
   * count intervals whose both ends carry at least `activeLevel_A` in the same direction.
   */
  addInterval(dt_s: number, v0: number, i0: number, v1: number, i1: number, activeLevel_A: number): void {
    if (i0 >= 0 && i1 >= 0) {
      this.charge_C += 0.5 * (i0 + i1) * dt_s;
      this.chargeEnergy_J += 0.5 * (v0 * i0 + v1 * i1) * dt_s;
    } else if (i0 <= 0 && i1 <= 0) {
      this.discharge_C -= 0.5 * (i0 + i1) * dt_s;
      this.dischargeEnergy_J -= 0.5 * (v0 * i0 + v1 * i1) * dt_s;
    } else {
      // Zero crossing after fraction f of the interval: two triangles.
      const f = i0 / (i0 - i1);
      const first = 0.5 * f * dt_s;
      const second = 0.5 * (1 - f) * dt_s;
      if (i0 > 0) {
        this.charge_C += i0 * first;
        this.chargeEnergy_J += v0 * i0 * first;
        this.discharge_C -= i1 * second;
        this.dischargeEnergy_J -= v1 * i1 * second;
      } else {
        this.discharge_C -= i0 * first;
        this.dischargeEnergy_J -= v0 * i0 * first;
        this.charge_C += i1 * second;
        this.chargeEnergy_J += v1 * i1 * second;
      }
    }
    const vt = 0.5 * (v0 + v1) * dt_s;
    if (i0 >= activeLevel_A && i1 >= activeLevel_A) {
      this.chargeVoltageTime_Vs += vt;
      this.chargeTime_s += dt_s;
    } else if (i0 <= -activeLevel_A && i1 <= -activeLevel_A) {
      this.dischargeVoltageTime_Vs += vt;
      this.dischargeTime_s += dt_s;
    } else {
      return;
    }
    this.absVoltageTime_Vs += 0.5 * (Math.abs(v0) + Math.abs(v1)) * dt_s;
    this.activeTime_s += dt_s;
  }

  /** The statistics of a closed cycle. */
  stats(
    cycle: number,
    start_ms: number,
    end_ms: number,
    symmetric: boolean,
    source: CycleSource,
  ): CycleStats {
    const charge_mAh = this.charge_C / coulombsPerMilliampHour;
    const discharge_mAh = this.discharge_C / coulombsPerMilliampHour;
    const meanCharge = this.chargeTime_s > 0 ? this.chargeVoltageTime_Vs / this.chargeTime_s : null;
    const meanDischarge =
      this.dischargeTime_s > 0 ? this.dischargeVoltageTime_Vs / this.dischargeTime_s : null;
    let polarization: number | null;
    if (symmetric) polarization = this.activeTime_s > 0 ? this.absVoltageTime_Vs / this.activeTime_s : null;
    else polarization = meanCharge !== null && meanDischarge !== null ? meanCharge - meanDischarge : null;
    return {
      cycle,
      start: start_ms,
      end: end_ms,
      chargeCapacity_mAh: charge_mAh,
      dischargeCapacity_mAh: discharge_mAh,
      coulombicEfficiency: this.charge_C > 0 ? this.discharge_C / this.charge_C : null,
      chargeEnergy_mWh: this.chargeEnergy_J / joulesPerMilliwattHour,
      dischargeEnergy_mWh: this.dischargeEnergy_J / joulesPerMilliwattHour,
      meanPolarization_V: polarization,
      meanChargeVoltage_V: meanCharge,
      meanDischargeVoltage_V: meanDischarge,
      duration_s: (end_ms - start_ms) / 1000,
      chargeDuration_s: this.chargeTime_s,
      dischargeDuration_s: this.dischargeTime_s,
      samples: this.samples,
      complete: this.chargeTime_s > 0 && this.dischargeTime_s > 0,
      source,
    };
  }
}
