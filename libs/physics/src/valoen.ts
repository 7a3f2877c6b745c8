/**
 * Salt diffusivity of LiPF6 in EC/DMC (LP30-type) from the Valøen–Reimers correlation,
 * `D[cm²/s] = 10^(-4.43 - 54/(T - 229 - 5c) - 0.22c)`, c in mol/L, T in K
 * (Valøen & Reimers, J. Electrochem. Soc. 152:A882 (2005)). Fitted for c ≈ 0–4 mol/L and 5–55 °C;
 * NaN where the denominator turns non-positive (far outside the fit).
 * Example: `valoenDiffusivity_m2_s(1, 298.15)` ≈ 3.2e-10 m²/s.
 */
export function valoenDiffusivity_m2_s(concentration_mol_L: number, temperature_K: number): number {
  const denominator_K = temperature_K - 229 - 5 * concentration_mol_L;
  if (!(denominator_K > 0) || !(concentration_mol_L >= 0)) return NaN;
  const log10D_cm2_s = -4.43 - 54 / denominator_K - 0.22 * concentration_mol_L;
  return 10 ** log10D_cm2_s * 1e-4;
}
