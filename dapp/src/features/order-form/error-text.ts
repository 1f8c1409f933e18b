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

/** The refusals an order, a cancel or a withdrawal can meet (backend/errors.py) that the catalogue says in its own
 * words, each as `order.apiError.<code>`; INVALID_FIELD and the like are the app's own mistakes and keep the API's. */
const KNOWN_CODES = [
  "INSUFFICIENT_BALANCE",
  "POST_ONLY_WOULD_CROSS",
  "FOK_NOT_FILLED",
  "PRICE_OUTSIDE_BAND",
  "WOULD_TRIGGER_IMMEDIATELY",
  "MARKET_HALTED",
  "MARKET_CANCEL_ONLY",
  "MARKET_CIRCUIT_BREAKER",
  "TOO_MANY_OPEN_ORDERS",
  "ORDER_NOT_OPEN",
  "CANCEL_EXPIRED",
  "ADDRESS_BLOCKED",
  "SCREENING_UNAVAILABLE",
  "RATE_LIMITED",
  "SIGNER_NOT_MAKER",
  "INVALID_SIGNATURE",
  "NOT_DEPLOYED",
  "NONCE_USED",
  "NONCE_BELOW_FLOOR",
  "ORDER_EXPIRED",
  STOP_NEEDS_PRICE_SOURCE,
  "FILL_OR_KILL_MISMATCH",
  "FLAGS_CONFLICT",
  "UNKNOWN_FLAGS",
  "EXPIRY_TOO_LONG",
  "ORDER_NOTIONAL_LIMIT_EXCEEDED",
  "WALLET_EXITING",
  "DUPLICATE_ORDER",
  "INVALID_TRIGGER_PRICE",
  "MAX_FEE_TOO_LOW",
  "UNKNOWN_MARKET",
  "INVALID_PRICE",
  "PRICE_OFF_TICK",
  "INVALID_QUANTITY",
  "QUANTITY_OFF_LOT",
  "BELOW_MIN_NOTIONAL",
  "TIF_NOT_ALLOWED",
  "ORDER_SIZE_LIMIT_EXCEEDED",
  "MARKET_NOTIONAL_LIMIT_EXCEEDED",
  "OPEN_NOTIONAL_LIMIT_EXCEEDED",
  "AMOUNT_OUT_OF_RANGE",
  "ENGINE_BUSY",
  "ENGINE_TIMEOUT",
  "UNAVAILABLE",
] as const;

type KnownCode = (typeof KNOWN_CODES)[number];
const KNOWN: ReadonlySet<string> = new Set(KNOWN_CODES);

function isKnown(code: string): code is KnownCode {
  return KNOWN.has(code);
}

/** One sentence for a failed order, cancel or withdrawal. */
export function tradingErrorText(error: unknown, t: (key: MessageKey) => string): string {
  // the key is checked against the catalogue: a code added above without its message does not compile
  if (error instanceof ApiError && isKnown(error.code)) return t(`order.apiError.${error.code}`);
  return errorText(error, t);
}
