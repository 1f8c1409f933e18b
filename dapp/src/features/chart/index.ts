export { PriceChart } from "./price-chart";
export type { ChartPriceLine } from "./price-lines";
