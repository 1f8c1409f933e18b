/**
 * Refusals in the user's language. The API's messages say exactly what to send instead, but in English
 * and in base units (for bots); for the refusals a person meets at the form, the catalogue has its own
 * words. Anything else keeps the API's message (lib/errors `errorText`).
 */
import type { MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { errorText } from "../../lib/errors";

/** A stop order without the operator-trigger flag in a market that has no price source. */
export const STOP_NEEDS_PRICE_SOURCE = "STOP_NEEDS_PRICE_SOURCE";

const KNOWN: Record<string, MessageKey> = {
  INSUFFICIENT_BALANCE: "order.apiError.INSUFFICIENT_BALANCE",
  POST_ONLY_WOULD_CROSS: "order.apiError.POST_ONLY_WOULD_CROSS",
  FOK_NOT_FILLED: "order.apiError.FOK_NOT_FILLED",
  PRICE_OUTSIDE_BAND: "order.apiError.PRICE_OUTSIDE_BAND",
  WOULD_TRIGGER_IMMEDIATELY: "order.apiError.WOULD_TRIGGER_IMMEDIATELY",
  MARKET_HALTED: "order.apiError.MARKET_HALTED",
  MARKET_CANCEL_ONLY: "order.apiError.MARKET_CANCEL_ONLY",
  TOO_MANY_OPEN_ORDERS: "order.apiError.TOO_MANY_OPEN_ORDERS",
  ORDER_NOT_OPEN: "order.apiError.ORDER_NOT_OPEN",
  CANCEL_EXPIRED: "order.apiError.CANCEL_EXPIRED",
  ADDRESS_BLOCKED: "order.apiError.ADDRESS_BLOCKED",
  RATE_LIMITED: "order.apiError.RATE_LIMITED",
  SIGNER_NOT_MAKER: "order.apiError.SIGNER_NOT_MAKER",
  NOT_DEPLOYED: "order.apiError.NOT_DEPLOYED",
  NONCE_USED: "order.apiError.NONCE_USED",
  NONCE_BELOW_FLOOR: "order.apiError.NONCE_BELOW_FLOOR",
  ORDER_EXPIRED: "order.apiError.ORDER_EXPIRED",
  [STOP_NEEDS_PRICE_SOURCE]: "order.apiError.STOP_NEEDS_PRICE_SOURCE",
  FILL_OR_KILL_MISMATCH: "order.apiError.FILL_OR_KILL_MISMATCH",
  FLAGS_CONFLICT: "order.apiError.FLAGS_CONFLICT",
  EXPIRY_TOO_LONG: "order.apiError.EXPIRY_TOO_LONG",
};

/** One sentence for a failed order, cancel or withdrawal. */
export function tradingErrorText(error: unknown, t: (key: MessageKey) => string): string {
  const key = error instanceof ApiError ? KNOWN[error.code] : undefined;
  return key ? t(key) : errorText(error, t);
}
