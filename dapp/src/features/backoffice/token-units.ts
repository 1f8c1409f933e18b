/** An amount of a token as staff read it: in the token's units with its symbol, or in base units when no market
 * lists the token (its decimals are unknown, and a guess would misstate the amount). */
import { useI18n } from "../../i18n";

export type TokenUnits = (value: string, decimals: number | null | undefined, symbol: string | null) => string;

export function useTokenUnits(): TokenUnits {
  const { t, formatUnits } = useI18n();
  return (value, decimals, symbol) =>
    decimals === null || decimals === undefined
      ? t("backoffice.users.baseUnits", { amount: value, symbol: symbol ?? "" })
      : `${formatUnits(value, decimals)} ${symbol ?? ""}`;
}
