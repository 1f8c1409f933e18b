import { describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { balancesKey, type BalanceRow } from "./account-api";
import { DEV_MARKET } from "../order-form/test-fixtures";
import { BalancesTable } from "./balances-table";
import { walletBalancesKey } from "./wallet-balances";

// The table shows balances only to a connected wallet, and the wallet provider cannot connect without a
// browser: the wallet is a connected one here (hoisted, as vi.mock runs before the imports).
const { TRADER } = vi.hoisted(() => ({ TRADER: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" as const }));
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, TRADER),
);

const ALMOST_TWO_WETH = "1999999999999999999"; // 1.999999999999999999 WETH: "2" at 8 digits, half up

function wethRow(amounts: Partial<BalanceRow>): BalanceRow {
  return {
    token: DEV_MARKET.baseToken.address, symbol: "WETH", decimals: 18, balance: "0", reserved: "0", available: "0", frozen: "0",
    pendingDeposits: "0", pendingWithdrawals: "0", ...amounts,
  };
}

/** The WETH row of the table, by column header. */
function wethRowShown(exchange: BalanceRow, wallet: bigint): Record<string, string> {
  const markup = providedMarkup(<BalancesTable markets={[DEV_MARKET]} />, [
    [balancesKey(TRADER), new Map([[DEV_MARKET.baseToken.address.toLowerCase(), exchange]])],
    [
      [...walletBalancesKey(TRADER), [DEV_MARKET.baseToken.address, DEV_MARKET.quoteToken.address]],
      new Map([[DEV_MARKET.baseToken.address.toLowerCase(), wallet]]),
    ],
  ]);
  const headers = [...markup.matchAll(/<th\b[^>]*>(.*?)<\/th>/g)].map((header) => header[1] ?? "");
  const row = /<tr\b[^>]*><td\b[^>]*>WETH<\/td>(?:(?!<\/tr>).)*<\/tr>/.exec(markup)?.[0] ?? "";
  const cells = [...row.matchAll(/<td\b[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1] ?? "");
  return Object.fromEntries(headers.map((header, index) => [header, cells[index] ?? ""]));
}

describe("the balances table", () => {
  it("never shows more available than can be withdrawn: the eighth digit is cut, not rounded up", () => {
    const shown = wethRowShown(wethRow({ balance: ALMOST_TWO_WETH, available: ALMOST_TWO_WETH }), 0n);
    expect(shown["Available"]).toBe("1.99999999");
  });

  it("never shows more in the wallet than can be deposited", () => {
    const shown = wethRowShown(wethRow({}), BigInt(ALMOST_TWO_WETH));
    expect(shown["Wallet"]).toBe("1.99999999");
  });

  it("rounds what open orders hold half up, as it cannot be moved", () => {
    const shown = wethRowShown(wethRow({ balance: ALMOST_TWO_WETH, reserved: ALMOST_TWO_WETH }), 0n);
    expect(shown).toMatchObject({ Token: "WETH", Wallet: "0", Available: "0", "In orders": "2" });
  });
});
