import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { translate } from "../../i18n";
import type { Notice } from "./account-notices";
import { FILL_HOLD_MS, FillNotices, type OrderProgress } from "./fill-notices";

const WETH = 10n ** 18n;
const USDC = 10n ** 6n;
const ORDER = "0xorder";

/** A fill of `base` WETH-wei at 2,000 USDC of the wallet's order `order`, as the account channel sends it. */
const fill = (id: number, base: bigint, liquidity = "maker", order = ORDER) => ({
  channel: "account", type: "fill", id: String(id), liquidity, side: "buy", market: "WETH-USDC",
  makerOrderHash: liquidity === "maker" ? order : "0xother", takerOrderHash: liquidity === "taker" ? order : "0xother",
  baseAmount: base.toString(), quoteAmount: ((base * 2_000n * USDC) / WETH).toString(), price: (2_000n * USDC).toString(),
});

let shown: Notice[];
let notices: FillNotices;
const progress = new Map<string, OrderProgress>();

beforeEach(() => {
  vi.useFakeTimers();
  shown = [];
  progress.clear();
  notices = new FillNotices((notice) => shown.push(notice), (hash) => progress.get(hash));
});
afterEach(() => vi.useRealTimers());

describe("fill notices", () => {
  it("title a partial fill as partial, with what the order has filled of its amount", () => {
    progress.set(ORDER, { baseAmount: 15n * WETH / 10n, filled: 0n });
    notices.fill(fill(1, 6n * WETH / 10n));
    vi.advanceTimersByTime(FILL_HOLD_MS);
    expect(shown).toEqual([
      {
        key: "fill:1:maker",
        kind: "success",
        title: "notify.partFill",
        body: "notify.filledBody",
        values: { side: "buy", market: "WETH-USDC" },
        amounts: { market: "WETH-USDC", base: String(6n * WETH / 10n), quote: String(1_200n * USDC), filled: String(6n * WETH / 10n), total: String(15n * WETH / 10n) },
      },
    ]);
    expect(translate("en", "notify.partFill", { filled: "0.600", total: "1.500 WETH" })).toBe("Partly filled: 0.600 of 1.500 WETH");
  });

  it("count what the order had filled before, and say partly filled without a total for an order not read yet", () => {
    progress.set(ORDER, { baseAmount: 2n * WETH, filled: WETH });
    notices.fill(fill(1, WETH / 2n));
    notices.fill(fill(2, WETH / 2n, "taker", "0xnew"));
    vi.advanceTimersByTime(FILL_HOLD_MS);
    expect(shown.map((notice) => [notice.title, notice.amounts?.filled])).toEqual([
      ["notify.partFill", String(3n * WETH / 2n)],
      ["notify.partFillNoTotal", undefined],
    ]);
  });

  it("add none for a market order that took three levels: its completed order's notice covers every fill", () => {
    // the server's order: two fills, the order's "filled", then the fill that completed it
    notices.fill(fill(1, WETH, "taker"));
    notices.fill(fill(2, WETH, "taker"));
    notices.complete(ORDER);
    notices.fill(fill(3, WETH, "taker"));
    vi.advanceTimersByTime(FILL_HOLD_MS * 10);
    expect(shown).toEqual([]);
  });

  it("gather the fills of one order that arrive together into one notice, and show a repeated fill once", () => {
    progress.set(ORDER, { baseAmount: 5n * WETH, filled: 0n });
    notices.fill(fill(1, WETH, "taker"));
    notices.fill(fill(2, WETH, "taker"));
    notices.fill(fill(2, WETH, "taker")); // delivered twice
    vi.advanceTimersByTime(FILL_HOLD_MS);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.amounts).toMatchObject({ base: String(2n * WETH), quote: String(4_000n * USDC), filled: String(2n * WETH) });
    notices.fill(fill(2, WETH, "taker"));
    vi.advanceTimersByTime(FILL_HOLD_MS);
    expect(shown).toHaveLength(1);
  });
});
