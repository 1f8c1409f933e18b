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

  it("keeps the API's message for a code it has no words for", () => {
    const t = (key: MessageKey) => translate("en", key);
    expect(tradingErrorText(new ApiError(422, "SOMETHING_NEW", "what the API said"), t)).toBe("what the API said");
  });
});
