import { describe, expect, it } from "vitest";
import { formatUnits, parseUnits, stepDecimals, unitsToNumber } from "./format";
import { formatPrice, lotDecimals, priceDecimals, quoteForBase, tickDecimals } from "./market";
import type { Market } from "./api-types";

const WETH_USDC: Market = {
  name: "WETH-USDC",
  baseToken: { address: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0", symbol: "WETH", decimals: 18 },
  quoteToken: { address: "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318", symbol: "USDC", decimals: 6 },
  priceScale: "1000000000000000000",
  tickSize: "10000",
  lotSize: "1000000000000000",
  minNotional: "10000000",
  makerFeeRate: 1000,
  takerFeeRate: 2000,
  feeRateScale: 1000000,
  state: "open",
};

describe("formatUnits", () => {
  it("groups the integer part and keeps every significant fraction digit", () => {
    expect(formatUnits("1234567890000", 6, { locale: "en" })).toBe("1,234,567.89");
  });

  it("formats amounts far beyond float precision exactly", () => {
    expect(formatUnits(123456789012345678901234567890n, 18, { locale: "en" })).toBe("123,456,789,012.34567890123456789");
  });

  it("rounds half away from zero to the requested digits and pads to the minimum", () => {
    expect(formatUnits("1005", 3, { locale: "en", maxFractionDigits: 2 })).toBe("1.01");
    expect(formatUnits("-1005", 3, { locale: "en", maxFractionDigits: 2 })).toBe("-1.01");
    expect(formatUnits("999999", 6, { locale: "en", maxFractionDigits: 2 })).toBe("1");
    expect(formatUnits("1000000", 6, { locale: "en", minFractionDigits: 2 })).toBe("1.00");
  });

  it("truncates toward zero on request, for amounts that must never show more than there is", () => {
    expect(formatUnits("1999999999", 9, { locale: "en", maxFractionDigits: 8, roundingMode: "trunc" })).toBe("1.99999999");
    expect(formatUnits("1999999999", 9, { locale: "en", maxFractionDigits: 8, roundingMode: "halfExpand" })).toBe("2");
    expect(formatUnits("-1999999999", 9, { locale: "en", maxFractionDigits: 8, roundingMode: "trunc" })).toBe("-1.99999999");
    expect(formatUnits("9", 9, { locale: "en", maxFractionDigits: 8, roundingMode: "trunc" })).toBe("0");
  });

  it("uses the locale's separators", () => {
    expect(formatUnits("1234500", 3, { locale: "de-DE" })).toBe("1.234,5");
    expect(formatUnits("1234500", 3, { locale: "zh-CN" })).toBe("1,234.5");
  });

  it("signs positive values on request and never signs zero", () => {
    expect(formatUnits("150", 2, { locale: "en", signed: true })).toBe("+1.5");
    expect(formatUnits("0", 2, { locale: "en", signed: true })).toBe("0");
    expect(formatUnits("-4", 3, { locale: "en", maxFractionDigits: 2 })).toBe("0");
  });
});

describe("parseUnits", () => {
  it("reads typed decimals into base units", () => {
    expect(parseUnits("1234.5", 6)).toEqual({ ok: true, value: 1234500000n });
    expect(parseUnits(".5", 18)).toEqual({ ok: true, value: 500000000000000000n });
    expect(parseUnits("7", 0)).toEqual({ ok: true, value: 7n });
    expect(parseUnits("1.2300", 2)).toEqual({ ok: true, value: 123n });
  });

  it("refuses more digits than the token has instead of rounding", () => {
    expect(parseUnits("0.0000001", 6)).toEqual({ ok: false, reason: "precision" });
  });

  it("refuses anything that is not a plain decimal", () => {
    for (const text of ["", ".", "1,000", "-1", "1e3", "abc", "1.2.3"]) {
      expect(parseUnits(text, 6)).toEqual({ ok: false, reason: "invalid" });
    }
  });
});

describe("parseUnits with the locale's grouping", () => {
  it("accepts thousands separators where they belong, as the app shows numbers, exactly", () => {
    expect(parseUnits("2,000.00", 18, "en")).toEqual({ ok: true, value: 2_000n * 10n ** 18n });
    expect(parseUnits("1,234,567.123456789012345678", 18, "en")).toEqual({ ok: true, value: 1_234_567_123_456_789_012_345_678n });
    expect(parseUnits(" 12,345 ", 6, "zh-CN")).toEqual({ ok: true, value: 12_345_000_000n });
    expect(parseUnits("1234.5", 6, "en")).toEqual({ ok: true, value: 1_234_500_000n }); // none is fine too
  });

  it("refuses a separator that is misplaced, so a number that reads two ways is never guessed", () => {
    for (const text of ["1,5", "20,00", "1,0000", ",100", "100,", "1.000,5", "1,000.000,1"]) {
      expect(parseUnits(text, 6, "en"), text).toEqual({ ok: false, reason: "grouping" });
    }
  });

  it("still refuses what is not a number, and too many digits", () => {
    for (const text of ["", ".", "-1,000", "1e3", "abc", "1.2.3", "1,000.5.5"]) {
      expect(parseUnits(text, 6, "en"), text).toEqual({ ok: false, reason: "invalid" });
    }
    expect(parseUnits("1,000.0000001", 6, "en")).toEqual({ ok: false, reason: "precision" });
  });

  it("reads the separators of a locale that groups with points and a comma for decimals", () => {
    expect(parseUnits("2.000,5", 6, "de")).toEqual({ ok: true, value: 2_000_500_000n });
    expect(parseUnits("2,5", 6, "de")).toEqual({ ok: true, value: 2_500_000n });
    expect(parseUnits("2.5", 6, "de")).toEqual({ ok: false, reason: "grouping" });
  });
});

describe("market grid", () => {
  it("derives price digits from the tick and amount digits from the lot", () => {
    expect(priceDecimals(WETH_USDC)).toBe(6);
    expect(tickDecimals(WETH_USDC)).toBe(2);
    expect(lotDecimals(WETH_USDC)).toBe(3);
    expect(stepDecimals("1", 6)).toBe(6);
  });

  it("formats a limitPrice as the human price (3,000 USDC per WETH is 3000000000)", () => {
    expect(formatPrice("3000000000", WETH_USDC, "en")).toBe("3,000.00");
  });

  it("computes the quote of an order as the contract does, rounding down", () => {
    expect(quoteForBase(10n ** 17n, 3_000_000_000n, WETH_USDC)).toBe(300_000_000n);
    expect(quoteForBase(1n, 3_000_000_000n, WETH_USDC)).toBe(0n);
  });

  it("turns base units into plain numbers for drawing", () => {
    expect(unitsToNumber("3000500000", 6)).toBeCloseTo(3000.5, 9);
  });
});
