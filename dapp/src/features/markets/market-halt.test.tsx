import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { channelFrame, channelKey, messageKey } from "../../lib/stream-client";
import { MarketHaltNotice } from "./market-halt";
import { applyMarketStatus, nextHaltEnd, parseMarketStatus } from "./use-markets";

const UNTIL = Date.UTC(2026, 11, 2, 7, 30);
const OPEN = {
  name: "WETH-USDC",
  state: "open",
  halt: null,
} as unknown as Market;
const HALTED = {
  ...OPEN,
  state: "cancel_only",
  halt: { kind: "breaker", reason: "price moved 12% within 300 s", reference: "2000000000", price: "2240000000", haltedAt: UNTIL - 600_000, until: UNTIL },
} as Market;

const html = (market: Market) => renderToStaticMarkup(<I18nProvider>{<MarketHaltNotice market={market} />}</I18nProvider>);

describe("the Market halted notice", () => {
  it("says why the market is halted and until when, in local time, as a status named Market halted", () => {
    const markup = html(HALTED);
    expect(markup).toContain('role="status" aria-label="Market halted"');
    expect(markup).toContain("circuit breaker: the price moved too far too fast; price moved 12% within 300 s");
    const local = new Intl.DateTimeFormat("en", { dateStyle: "short", timeStyle: "medium" }).format(UNTIL); // the browser's time zone
    expect(markup).toContain(`until ${local} (your local time); you can still cancel orders.`);
  });

  it("is absent while the market is open, and says only halted when staff switched it off", () => {
    expect(html(OPEN)).toBe("");
    expect(html({ ...OPEN, state: "halted" })).toContain("Trading in WETH-USDC is halted by the exchange");
  });
});

describe("the markets stream", () => {
  it("is one channel for every market", () => {
    expect(channelKey({ channel: "markets" })).toBe("markets");
    expect(channelFrame("subscribe", { channel: "markets" })).toEqual({ op: "subscribe", channel: "markets" });
    expect(messageKey({ channel: "markets", type: "marketStatus", market: "WETH-USDC" })).toBe("markets");
  });

  it("changes the state and halt of the market a marketStatus message names, and nothing else", () => {
    const status = parseMarketStatus({ channel: "markets", type: "marketStatus", market: "WETH-USDC", state: "cancel_only", halt: HALTED.halt });
    expect(status).not.toBeNull();
    const other = { ...OPEN, name: "WBTC-USDC" };
    expect(applyMarketStatus([OPEN, other], status!)).toEqual([{ ...OPEN, state: "cancel_only", halt: HALTED.halt }, other]);
    const reopened = parseMarketStatus({ channel: "markets", type: "marketStatus", market: "WETH-USDC", state: "open", halt: null });
    expect(applyMarketStatus([HALTED], reopened!)).toEqual([{ ...HALTED, state: "open", halt: null }]);
  });

  it("ignores messages that are not a market status", () => {
    expect(parseMarketStatus({ channel: "markets", type: "other", market: "WETH-USDC", state: "open" })).toBeNull();
    expect(parseMarketStatus({ channel: "markets", type: "marketStatus", market: "WETH-USDC", state: "closed" })).toBeNull();
    expect(parseMarketStatus({ channel: "markets", type: "marketStatus", market: "WETH-USDC", state: "open", halt: "x" })).toBeNull();
  });

  it("reads the list again when the next halt should end", () => {
    expect(nextHaltEnd([OPEN, HALTED], UNTIL - 1)).toBe(UNTIL);
    expect(nextHaltEnd([OPEN, HALTED], UNTIL + 1)).toBeNull();
  });
});
