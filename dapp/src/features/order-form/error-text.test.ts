import { describe, expect, it } from "vitest";
import { translate, type MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { tradingErrorText } from "./error-text";

const NEW_CODES = [
  "NONCE_USED",
  "NONCE_BELOW_FLOOR",
  "ORDER_EXPIRED",
  "STOP_NEEDS_PRICE_SOURCE",
  "FILL_OR_KILL_MISMATCH",
  "FLAGS_CONFLICT",
  "EXPIRY_TOO_LONG",
];

// backend/errors.py: what a signed order can be refused with on its way in (POST /v1/orders).
const ORDER_ENTRY_CODES = [
  "INVALID_SIGNATURE", "SIGNER_NOT_MAKER", "ORDER_EXPIRED", "NONCE_BELOW_FLOOR", "WALLET_EXITING", "DUPLICATE_ORDER",
  "UNKNOWN_FLAGS", "FLAGS_CONFLICT", "FILL_OR_KILL_MISMATCH", "EXPIRY_TOO_LONG", "STOP_NEEDS_PRICE_SOURCE", "NONCE_USED",
  "INVALID_TRIGGER_PRICE", "MAX_FEE_TOO_LOW", "TOO_MANY_OPEN_ORDERS", "UNKNOWN_MARKET", "MARKET_HALTED", "MARKET_CANCEL_ONLY",
  "INVALID_PRICE", "PRICE_OFF_TICK", "INVALID_QUANTITY", "QUANTITY_OFF_LOT", "BELOW_MIN_NOTIONAL", "PRICE_OUTSIDE_BAND",
  "TIF_NOT_ALLOWED", "POST_ONLY_WOULD_CROSS", "FOK_NOT_FILLED", "WOULD_TRIGGER_IMMEDIATELY", "MARKET_CIRCUIT_BREAKER",
  "ORDER_SIZE_LIMIT_EXCEEDED", "MARKET_NOTIONAL_LIMIT_EXCEEDED", "OPEN_NOTIONAL_LIMIT_EXCEEDED", "INSUFFICIENT_BALANCE",
  "ADDRESS_BLOCKED", "SCREENING_UNAVAILABLE", "ORDER_NOTIONAL_LIMIT_EXCEEDED", "AMOUNT_OUT_OF_RANGE", "RATE_LIMITED",
  "NOT_DEPLOYED", "ENGINE_BUSY", "ENGINE_TIMEOUT", "UNAVAILABLE",
];

describe("tradingErrorText", () => {
  for (const locale of ["en", "zh-CN"]) {
    it(`says the nonce, stop trigger and time in force refusals in its own words in ${locale}`, () => {
      const t = (key: MessageKey) => translate(locale, key);
      for (const code of NEW_CODES) {
        const text = tradingErrorText(new ApiError(409, code, `the API's words for ${code}`), t);
        expect(text).toBe(translate(locale, `order.apiError.${code}`));
        expect(text).not.toContain("order.apiError"); // a catalogue message, not its key
      }
    });
  }

  it("tells the person what to do about a market that lost its price feed", () => {
    const t = (key: MessageKey) => translate("en", key);
    expect(tradingErrorText(new ApiError(422, "STOP_NEEDS_PRICE_SOURCE", "raw"), t)).toBe(
      "This market has no usable on-chain price feed for stop orders right now, so the exchange must decide when your " +
        "stop triggers. Go back and place the order again.",
    );
  });

  it("says a refusal for the tier's largest order and for an exiting wallet in the app's words, not the API's", () => {
    const t = (key: MessageKey) => translate("en", key);
    const limit = new ApiError(
      422,
      "ORDER_NOTIONAL_LIMIT_EXCEEDED",
      "this order is worth 12,000.00 USDC; your maximum order is 10,000.00 USDC (level 0): send a smaller baseAmount, or raise your KYC level",
    );
    expect(tradingErrorText(limit, t)).toBe(
      "This order is larger than your verification (KYC) level allows. Lower the amount, or raise your level on your account page.",
    );
    expect(tradingErrorText(new ApiError(409, "WALLET_EXITING", "the maker requested an exit via requestExit()"), t)).toBe(
      "You requested an exit from the exchange, so it accepts no orders from this wallet. Cancel the exit in the escape hatch to trade again.",
    );
  });

  it("has its own words for every refusal an order can meet at entry", () => {
    const t = (key: MessageKey) => translate("en", key);
    for (const code of ORDER_ENTRY_CODES) {
      const text = tradingErrorText(new ApiError(422, code, "send a smaller baseAmount, or call cancelExit()"), t);
      expect(text, code).toBe(translate("en", `order.apiError.${code}`));
      expect(text, code).not.toMatch(/baseAmount|limitPrice|[a-z]+\(\)/);
    }
  });

  it("keeps the API's message for a code it has no words for", () => {
    const t = (key: MessageKey) => translate("en", key);
    expect(tradingErrorText(new ApiError(422, "SOMETHING_NEW", "what the API said"), t)).toBe("what the API said");
  });
});
