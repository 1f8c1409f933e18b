import type { Side } from "../../lib/api-types";

/** An open order drawn on the chart: its side and limit price (limitPrice units). */
export interface ChartPriceLine {
  hash: string;
  side: Side;
  price: string;
  remaining: string;
}
