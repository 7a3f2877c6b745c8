import { describe, expect, it } from 'vitest';
import {
  C_to_K,
  K_to_C,
  lithiumThickness_m,
  m_to_um,
  mA_cm2_to_A_m2,
  mAh_cm2_to_C_m2,
  overpotentialToStress_Pa,
  stressToOverpotential_V,
} from './units.js';

describe('unit conversions (PHYSICS.md §2)', () => {
  it('1 mAh/cm² of lithium is 4.85 µm thick', () => {
    expect(m_to_um(lithiumThickness_m(mAh_cm2_to_C_m2(1)))).toBeCloseTo(4.85, 2);
  });

  it('Roy/Duan stress ↔ overpotential: sigma*Omega/F, 1 MPa ↔ 0.135 mV and 100 mV ↔ 742 MPa', () => {
    expect(stressToOverpotential_V(1e6) * 1e3).toBeCloseTo(0.1347, 4);
    expect(overpotentialToStress_Pa(0.1) / 1e6).toBeCloseTo(742.2, 1);
    expect(overpotentialToStress_Pa(stressToOverpotential_V(7e6))).toBeCloseTo(7e6, 3);
  });

  it('current density and temperature round trips', () => {
    expect(mA_cm2_to_A_m2(0.4)).toBeCloseTo(4, 12);
    expect(K_to_C(C_to_K(25))).toBeCloseTo(25, 12);
  });
});
