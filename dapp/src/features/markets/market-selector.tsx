import { useI18n, type MessageKey } from "../../i18n";
import type { Market, MarketState } from "../../lib/api-types";

export const MARKET_STATE_KEYS: Record<MarketState, MessageKey> = {
  open: "market.state.open",
  cancel_only: "market.state.cancel_only",
  halted: "market.state.halted",
};

interface MarketSelectorProps {
  markets: readonly Market[];
  selected: Market;
  onSelect(name: string): void;
}

/** A select labelled "Market" listing every market, with its state when it is not open. */
export function MarketSelector({ markets, selected, onSelect }: MarketSelectorProps) {
  const { t } = useI18n();
  return (
    <label className="market-selector">
      <span className="visually-hidden">{t("market.label")}</span>
      <select value={selected.name} onChange={(event) => onSelect(event.target.value)} aria-label={t("market.label")}>
        {markets.map((market) => (
          <option key={market.name} value={market.name}>
            {market.state === "open" ? market.name : `${market.name} (${t(MARKET_STATE_KEYS[market.state])})`}
          </option>
        ))}
      </select>
    </label>
  );
}
