/** One constant-current step; positive current density plates Li on the negative electrode. */
export interface ProtocolStep {
  duration_s: number;
  current_mA_cm2: number;
}

/** A chamber temperature set point from `at_s` on (the cell follows with a thermal lag). */
export interface AmbientSetPoint {
  at_s: number;
  temperature_C: number;
}

/** What the cycler does and how it samples. */
export interface Protocol {
  /** Steps run in order; after the last one the cell rests until duration_s. */
  steps: ProtocolStep[];
  duration_s: number;
  ambient: AmbientSetPoint[];
  /** Mean time between samples; each interval is jittered by ±sampleJitter (a fraction). */
  sampleInterval_s: number;
  sampleJitter: number;
  /** Mean number of logging dropouts (30–180 s without samples) per hour. */
  dropoutsPerHour: number;
  hasTemperature: boolean;
  hasPressure: boolean;
}

/** Galvanostatic cycling: `cycles` × (plate, rest, strip, rest) at ±current. */
export function galvanostaticCycling(options: {
  current_mA_cm2: number;
  halfCycle_s: number;
  cycles: number;
  rest_s?: number;
}): ProtocolStep[] {
  const steps: ProtocolStep[] = [];
  for (let k = 0; k < options.cycles; k++)
    steps.push(...cycle(options.current_mA_cm2, options.halfCycle_s, options.rest_s ?? 0));
  return steps;
}

/**
 * Critical-current ramp as labs measure CCD: one symmetric cycle per current, the current raised by
 * `increment_mA_cm2` every cycle.
 */
export function criticalCurrentRamp(options: {
  start_mA_cm2: number;
  increment_mA_cm2: number;
  halfCycle_s: number;
  cycles: number;
  rest_s?: number;
}): ProtocolStep[] {
  const steps: ProtocolStep[] = [];
  for (let k = 0; k < options.cycles; k++) {
    const current_mA_cm2 = options.start_mA_cm2 + k * options.increment_mA_cm2;
    steps.push(...cycle(current_mA_cm2, options.halfCycle_s, options.rest_s ?? 0));
  }
  return steps;
}

/** Current pulses (e.g. for resistance checks): `count` × (pulse, rest), alternating sign. */
export function pulses(options: {
  current_mA_cm2: number;
  pulse_s: number;
  rest_s: number;
  count: number;
}): ProtocolStep[] {
  const steps: ProtocolStep[] = [];
  for (let k = 0; k < options.count; k++) {
    const sign = k % 2 === 0 ? 1 : -1;
    steps.push({ duration_s: options.pulse_s, current_mA_cm2: sign * options.current_mA_cm2 });
    steps.push({ duration_s: options.rest_s, current_mA_cm2: 0 });
  }
  return steps;
}

function cycle(current_mA_cm2: number, halfCycle_s: number, rest_s: number): ProtocolStep[] {
  const steps: ProtocolStep[] = [{ duration_s: halfCycle_s, current_mA_cm2 }];
  if (rest_s > 0) steps.push({ duration_s: rest_s, current_mA_cm2: 0 });
  steps.push({ duration_s: halfCycle_s, current_mA_cm2: -current_mA_cm2 });
  if (rest_s > 0) steps.push({ duration_s: rest_s, current_mA_cm2: 0 });
  return steps;
}

/** Total time of a list of steps. */
export function stepsDuration_s(steps: readonly ProtocolStep[]): number {
  return steps.reduce((sum, step) => sum + step.duration_s, 0);
}
