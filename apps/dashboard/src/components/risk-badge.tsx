import { RISK_LABEL, type TileRisk } from '../lib/risk.js';

/** Risk as colour, symbol and word together, so it reads without colour. */
export function RiskBadge({ risk }: { risk: TileRisk }) {
  const label = RISK_LABEL[risk];
  return (
    <span class={`badge risk-${risk}`} data-risk={risk}>
      <span aria-hidden="true">{label.icon}</span> {label.text}
    </span>
  );
}
