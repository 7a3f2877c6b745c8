import type { AlertKind, AlertSource, Evidence } from '#contracts';
import { mA_cm2_to_A_m2, ohm_cm2_to_ohm_m2 } from '#physics';
import {
  formatArealCharge,
  formatAreaResistance,
  formatCurrentDensity,
  formatDuration,
  formatFixed,
  formatPercent,
  formatRatio,
  formatSi,
} from './format.js';

/** What each alert kind means, in the words a lab engineer uses. */
export const KIND_LABEL: Record<AlertKind, string> = {
  'sand-depletion': "Li⁺ depletion (Sand's time)",
  'void-growth': 'Void growth at the Li interface',
  'soft-short': 'Soft short',
  'hard-short': 'Hard short',
  pressure: 'Stack pressure',
  thermal: 'Temperature',
  'data-gap': 'Data gap',
};

export const SOURCE_LABEL: Record<AlertSource, string> = {
  physics: 'physics detector',
  model: 'model',
  both: 'physics detector and model',
};

type Phrase = (value: number) => string;

/** Known evidence fields, phrased as a sentence fragment with the number and its unit. */
const KNOWN: Record<string, Phrase> = {
  depletionFraction: (x) => `Li⁺ at the plating electrode is ${formatPercent(x)} depleted`,
  timeToDepletion_s: (x) =>
    Number.isFinite(x)
      ? `full depletion expected in ${formatDuration(x)}`
      : 'no depletion expected at this current',
  jOverJstar: (x) => `current density is ${formatRatio(x)} the critical current J*`,
  currentDensity_A_m2: (x) => `current density ${formatCurrentDensity(x)}`,
  strippingCurrentOverCsc: (x) =>
    `stripping current is ${formatRatio(x)} the critical stripping current (CSC)`,
  strippingChargeAboveCsc_C_m2: (x) => `${formatArealCharge(x)} stripped above the CSC`,
  contactFraction: (x) => `interface contact at ${formatPercent(x)} of the original area`,
  areaSpecificResistance_ohm_m2: (x) => `area-specific resistance ${formatAreaResistance(x)}`,
  // The soft-short detector's own |V/J| at the sample it judged (not median-filtered like the ASR above).
  asr_ohm_m2: (x) => `|V/J| seen by the short detector ${formatAreaResistance(x)}`,
  shortResistance_ohm: (x) => `short resistance about ${formatSi(x, 'Ω')}`,
  probability: (x) => `model probability ${formatPercent(x)}`,
  limitingCurrentDensity_mA_cm2: (x) =>
    `critical current density J* ${formatCurrentDensity(mA_cm2_to_A_m2(x))}`,
  limitingCurrent_mA: (x) => `critical current J* over the electrode area ${formatSi(x / 1000, 'A')}`,
  criticalStrippingCurrent_mA_cm2: (x) =>
    `critical stripping current (CSC) ${formatCurrentDensity(mA_cm2_to_A_m2(x))}`,
};

/** What the known fields are called, for when their value is missing. */
const NAMES: Record<string, string> = {
  timeToDepletion_s: 'time to depletion',
  jOverJstar: 'J/J*',
  limitingCurrentDensity_mA_cm2: 'critical current density J*',
  limitingCurrent_mA: 'critical current J*',
  criticalStrippingCurrent_mA_cm2: 'critical stripping current (CSC)',
  strippingCurrentOverCsc: 'stripping current / CSC',
};

/** Unit suffixes of evidence names (DESIGN.md: names carry their unit) and how to show a value in it. */
const UNITS: Record<string, Phrase> = {
  s: (x) => formatDuration(x),
  ms: (x) => formatDuration(x / 1000),
  V: (x) => formatSi(x, 'V'),
  mV: (x) => formatSi(x / 1000, 'V'),
  A: (x) => formatSi(x, 'A'),
  mA: (x) => formatSi(x / 1000, 'A'),
  ohm: (x) => formatSi(x, 'Ω'),
  A_m2: (x) => formatCurrentDensity(x),
  mA_cm2: (x) => formatCurrentDensity(mA_cm2_to_A_m2(x)),
  ohm_m2: (x) => formatAreaResistance(x),
  ohm_cm2: (x) => formatAreaResistance(ohm_cm2_to_ohm_m2(x)),
  C: (x) => formatFixed(x, '°C', 1),
  K: (x) => formatFixed(x, 'K', 2),
  MPa: (x) => formatFixed(x, 'MPa', 2),
  C_m2: (x) => formatArealCharge(x),
  Hz: (x) => formatSi(x, 'Hz'),
  V_s: (x) => formatSi(x, 'V/s'),
  cm2_s: (x) => `${Number(x.toPrecision(3))} cm²/s`,
  m2_s: (x) => `${Number(x.toPrecision(3))} m²/s`,
  mol_L: (x) => `${Number(x.toPrecision(3))} mol/L`,
  um: (x) => `${Number(x.toPrecision(3))} µm`,
  kJ_mol: (x) => `${Number(x.toPrecision(3))} kJ/mol`,
  mAh_cm2: (x) => formatFixed(x, 'mAh/cm²', 3),
};

/** `timeToDepletion` → "time to depletion". */
export function camelToWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/** One evidence field in plain words with its number and unit. */
export function evidenceEntryToWords(name: string, value: number | string | null): string {
  if (value === null) return `${NAMES[name] ?? camelToWords(name.split('_')[0] ?? name)}: not available`;
  if (typeof value === 'string') return `${camelToWords(name)}: ${value}`;
  const known = KNOWN[name];
  if (known) return known(value);
  const underscore = name.indexOf('_');
  const base = underscore < 0 ? name : name.slice(0, underscore);
  const unit = underscore < 0 ? '' : name.slice(underscore + 1);
  const words = camelToWords(base);
  const inUnit = UNITS[unit];
  if (inUnit) return `${words} ${inUnit(value)}`;
  if (/Fraction$|Probability$/.test(base)) return `${words} ${formatPercent(value)}`;
  if (/Over[A-Z]/.test(base)) return `${words} ${formatRatio(value)}`;
  const suffix = unit ? ` ${unit.replace(/_/g, '/')}` : '';
  return `${words} ${Number(value.toPrecision(3))}${suffix}`;
}

/** All evidence of an alert as plain phrases with their field names, known fields first in a fixed order. */
export function evidenceLines(evidence: Evidence): { name: string; text: string }[] {
  const names = Object.keys(evidence);
  const order = Object.keys(KNOWN);
  names.sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
  });
  return names.map((name) => ({ name, text: evidenceEntryToWords(name, evidence[name] ?? null) }));
}

/** All evidence of an alert as plain phrases, known fields first in a fixed order. */
export function evidenceToWords(evidence: Evidence): string[] {
  return evidenceLines(evidence).map((line) => line.text);
}
