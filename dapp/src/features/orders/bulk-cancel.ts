/** What a bulk cancel signs and sends (backend/trading/cancels.py `bulk_cancel_scope`). */
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import type { ToastInput } from "../../components/ui";
import type { I18n } from "../../i18n";

/** `POST /v1/orders/cancel`'s answer. `kept`: the orders a halted market kept open (it refuses cancels too). */
export interface BulkCancelAnswer {
  cancelled: string[];
  kept: string[];
}

/** The 32 bytes a bulk cancel signs in place of an order hash. */
export function bulkCancelScope(market: string | null, timestampMs: bigint): Hex {
  return keccak256(stringToBytes(`HDEX cancel-all|${market ?? "*"}|${timestampMs}`));
}

/** `POST /v1/orders/cancel` body: the timestamp exactly as signed, in decimal. */
export function bulkCancelBody(maker: Address, market: string | null, timestampMs: bigint, signature: Hex) {
  return { maker, market, timestamp: timestampMs.toString(), signature };
}

/** What the user is told of a bulk cancel: orders a halted market kept open are a notice that stays until read,
 *  with the way out (they still hold funds and trade once it reopens), not a success. */
export function bulkCancelNotice({ cancelled, kept }: BulkCancelAnswer, t: I18n["t"]): ToastInput {
  if (kept.length === 0) return { kind: "success", title: t("account.cancelledAll", { count: cancelled.length }) };
  return {
    kind: "error",
    title: t("account.keptOpen", { count: kept.length }),
    body: t("account.keptOpenBody", { cancelled: cancelled.length }),
  };
}
