import { describe, expect, it } from "vitest";
import type { Limits } from "./account-api";
import { allowance, unlocks, usedPermille } from "./limits";

function limits(overrides: Partial<Limits> = {}): Limits {
  return {
    address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    level: 0,
    reference: { symbol: "USDC", token: "0x0000000000000000000000000000000000000001", decimals: 6 },
    limits: { withdrawalDaily: "1000000000", withdrawal30d: "5000000000", maxOrderNotional: "2000000000" },
    used: { withdrawalDaily: "250000000", withdrawal30d: "4999999999" },
    remaining: { withdrawalDaily: "750000000", withdrawal30d: "1" },
    overridden: [],
    nextLevel: { level: 1, limits: { withdrawalDaily: "10000000000", withdrawal30d: "5000000000", maxOrderNotional: "50000000000" } },
    ...overrides,
  };
}

describe("usedPermille", () => {
  it("is the used share in whole thousandths, rounded down", () => {
    expect(usedPermille(250n, 1000n)).toBe(250);
    expect(usedPermille(4_999_999_999n, 5_000_000_000n)).toBe(999); // almost full is not full
    expect(usedPermille(0n, 1000n)).toBe(0);
  });

  it("stays exact on amounts far beyond a float's 2^53", () => {
    const limit = 10n ** 30n; // a million tokens of 24 decimals
    expect(usedPermille(limit / 3n, limit)).toBe(333);
    expect(usedPermille(limit - 1n, limit)).toBe(999);
  });

  it("is full when the use passes the limit or the limit is zero", () => {
    expect(usedPermille(1500n, 1000n)).toBe(1000);
    expect(usedPermille(0n, 0n)).toBe(1000);
  });
});

describe("allowance", () => {
  it("reads limit, use and the server's remaining as bigints", () => {
    expect(allowance(limits(), "withdrawalDaily")).toEqual({
      limit: 1_000_000_000n,
      used: 250_000_000n,
      remaining: 750_000_000n,
      permille: 250,
      exhausted: false,
    });
  });

  it("never shows a negative remainder and calls a spent allowance exhausted", () => {
    const spent = allowance(limits({ used: { withdrawalDaily: "1200000000", withdrawal30d: "0" }, remaining: { withdrawalDaily: "-200000000", withdrawal30d: "5000000000" } }), "withdrawalDaily");
    expect([spent.remaining, spent.permille, spent.exhausted]).toEqual([0n, 1000, true]);
  });
});

describe("unlocks", () => {
  it("lists only the limits the next level raises, with both figures", () => {
    expect(unlocks(limits())).toEqual([
      { kind: "withdrawalDaily", now: 1_000_000_000n, next: 10_000_000_000n },
      { kind: "maxOrderNotional", now: 2_000_000_000n, next: 50_000_000_000n },
    ]);
  });

  it("is empty at the highest level", () => {
    expect(unlocks(limits({ nextLevel: null }))).toEqual([]);
  });
});
