/**
 * Which account-channel messages deserve a notice, and what it says: pure, so the rules are tested
 * without a page. Orders the user just placed or cancelled here are confirmed by the form and the table
 * already; a notice is for what happens later or elsewhere (fills, triggers, expiries, settlement
 * failures, withdrawal steps).
 */
import type { MessageKey } from "../../i18n";
import { withdrawalFailureKey } from "../funds";

export interface Notice {
  /** Same key, same notice: the channel delivers at least once, so repeats are dropped. */
  key: string;
  kind: "info" | "success" | "error";
  title: MessageKey;
  /** The body's catalogue key and its raw values (amounts are formatted by the caller). */
  body?: MessageKey;
  values?: Record<string, string>;
  /** Base units to format with the market of `market` (order and fill notices); `quote`: what `base` traded for,
   * whose average price is shown; `filled` of `total`: how far a partly filled order is. */
  amounts?: { market: string; base?: string; price?: string; quote?: string; filled?: string; total?: string };
  txHash?: string;
  /** Base units of a token (a withdrawal's), formatted with the token's decimals and symbol as `amount`. */
  tokenAmount?: { token: string; units: string };
}

type Message = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === "string" ? value : "");

function orderNotice(message: Message): Notice | null {
  const event = str(message.event);
  const hash = str(message.hash);
  const order = (message.order ?? {}) as Message;
  const amounts = { market: str(message.market), base: str(order.baseAmount), price: str(order.limitPrice) };
  const values = { side: str(message.side), market: str(message.market) };
  const key = `order:${hash}:${event}`;
  if (event === "triggered") return { key, kind: "info", title: "notify.triggered", body: "notify.orderBody", values, amounts };
  if (event === "filled") return { key, kind: "success", title: "notify.filled", ...filledAt(message), values };
  if (event === "expired") return { key, kind: "info", title: "notify.expired", body: "notify.orderBody", values, amounts };
  if (event === "cancelled" && message.reason !== "cancelled_by_user") {
    return { key, kind: "info", title: "notify.cancelled", body: "notify.cancelledBody", values: { ...values, reason: str(message.reason) }, amounts };
  }
  return null;
}

const UNITS = /^\d+$/;

/** What a filled order traded at: its average price (`filledQuote / filled`), never its signed limit, which is only
 * the worst it accepted (a market order's is far off). Without `filledQuote` (a server from before it), no price. */
function filledAt(message: Message): Pick<Notice, "body" | "amounts"> {
  const market = str(message.market);
  const filled = str(message.filled);
  const quote = str(message.filledQuote);
  if (UNITS.test(filled) && BigInt(filled) > 0n && UNITS.test(quote)) {
    return { body: "notify.filledBody", amounts: { market, base: filled, quote } };
  }
  return { body: "notify.filledBodyNoPrice", amounts: { market, base: str(((message.order ?? {}) as Message).baseAmount) } };
}

/** Whether an account-channel message may mean a deposit was credited: the deposits list is read again, and a
 * credit new since its first read raises a notice. */
export function refreshesDeposits(message: Message): boolean {
  return message.type === "balance" || message.type === "deposit";
}

/** The notice for one account-channel message, or null when it needs none (fills have theirs from ./fill-notices). */
export function noticeFor(message: Message): Notice | null {
  switch (message.type) {
    case "order":
      return orderNotice(message);
    case "settlement":
      if (message.status !== "failed") return null;
      return {
        key: `settlement:${str(message.fill)}:failed`,
        kind: "error",
        title: "notify.settlementFailed",
        body: "notify.reason",
        values: { reason: str(message.reason) || str(message.failure) },
      };
    case "withdrawal": {
      const status = str(message.status);
      const key = `withdrawal:${str(message.hash)}:${status}`;
      const txHash = str(message.txHash) || undefined;
      // what was withdrawn, when the server says (one from before it carried only the transaction)
      const what: Pick<Notice, "body" | "tokenAmount"> = UNITS.test(str(message.amount)) && str(message.token)
        ? { body: "notify.withdrawalAmount", tokenAmount: { token: str(message.token), units: str(message.amount) } }
        : {};
      if (status === "relayed") return { key, kind: "info", title: "notify.withdrawalRelayed", txHash, ...what };
      if (status === "completed") return { key, kind: "success", title: "notify.withdrawalCompleted", txHash, ...what };
      if (status === "failed") {
        return { key, kind: "error", title: "notify.withdrawalFailed", body: withdrawalFailureKey(str(message.failure)) };
      }
      return null;
    }
    default:
      return null;
  }
}
