/** Physical constants, SI (CODATA 2018 exact values for F and R). */

/** Faraday constant, C/mol. */
export const faraday_C_per_mol = 96485.33212;

/** Molar gas constant, J/(mol K). */
export const gasConstant_J_per_mol_K = 8.314462618;

/** Offset between °C and K. */
export const zeroCelsius_K = 273.15;

/**
 * Molar volume of lithium metal, m³/mol: 13.0 cm³/mol (PHYSICS.md §2; Li density 0.534 g/cm³,
 * M = 6.94 g/mol).
 */
export const lithiumMolarVolume_m3_per_mol = 13.0e-6;
