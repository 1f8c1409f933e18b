/**
 * Who decides that a stop order triggered, in words, in the form and in the review: the contract, against the
 * market's on-chain price feed, or (a market without one) the operator, with only the worst price enforced.
 */
import { useI18n } from "../../i18n";
import type { PriceSource } from "../../lib/api-types";

/** `source` null: the order signs the operator trigger. */
export function StopTriggerNote({ source }: { source: PriceSource | null }) {
  const { t } = useI18n();
  return (
    <p role="note" aria-label={t("order.stopTrigger.label")} className="muted order-form__note order-form__trigger-note">
      {source === null ? t("order.stopTrigger.operator") : t("order.stopTrigger.priceSource", { feed: source.feed })}
    </p>
  );
}
