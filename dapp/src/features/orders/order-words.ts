/** Catalogue keys for what the API says about orders and fills (statuses, reasons, kinds). */
import type { MessageKey } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { formatUnits } from "../../lib/format";
import { priceDecimals } from "../../lib/market";
import { KIND_LABEL, kindOfFlags } from "../order-form";
import type { AccountFill, OrderView } from "./account-orders";

const REASONS: Record<string, MessageKey> = {
  cancelled_by_user: "account.reason.cancelled_by_user",
  ioc_remainder: "account.reason.ioc_remainder",
  self_trade_prevented: "account.reason.self_trade_prevented",
  nonce_floor: "account.reason.nonce_floor",
  cancelled_on_chain: "account.reason.cancelled_on_chain",
  wallet_exiting: "account.reason.wallet_exiting",
  stop_not_triggered_on_chain: "account.reason.stop_not_triggered_on_chain",
  nonce_used_on_chain: "account.reason.nonce_used_on_chain",
  refused_on_chain: "account.reason.refused_on_chain",
  "cancel-after": "account.reason.cancel-after",
  expired: "account.reason.expired",
};

export function kindKey(order: OrderView): MessageKey {
  return KIND_LABEL[kindOfFlags(Number(order.order.flags))];
}

export function statusKey(status: OrderView["status"]): MessageKey {
  return `account.status.${status}`;
}

export function settlementKey(status: AccountFill["status"]): MessageKey {
  return `account.settlement.${status}`;
}

/** Why an order left the book, in words when the catalogue knows the reason (else as the API says it). */
export function reasonText(reason: string | null, t: (key: MessageKey) => string): string | null {
  if (!reason) return null;
  const key = REASONS[reason];
  return key ? t(key) : reason;
}

/** Base units as plain decimal text for CSV (no grouping, full precision). */
export function csvUnits(value: string | bigint, decimals: number): string {
  return formatUnits(value, decimals, { locale: "en-US" }).replace(/,/g, "");
}

export function csvPrice(value: string, market: Market | undefined): string {
  return market ? csvUnits(value, priceDecimals(market)) : value;
}

export function csvTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
