import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { providedMarkup } from "../../testing/markup";
import { DEV_MARKET } from "../order-form/test-fixtures";
import { FundsPanel } from "./funds-panel";

// A connected wallet (the provider cannot connect without a browser), and the signing terms in the state the test
// names (hoisted, as vi.mock runs before the imports).
const { signingTerms } = vi.hoisted(() => ({ signingTerms: { current: {} as Record<string, unknown> } }));
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
);
vi.mock("../../lib/signing", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../lib/signing")>()),
  useEip712: () => signingTerms.current,
}));

const buttons = (markup: string) => [...markup.matchAll(/<button\b([^>]*)>(Deposit|Withdraw)<\/button>/g)].map((match) => match[1] ?? "");

describe("the funds panel", () => {
  it("says why deposits and withdrawals wait when the signing terms failed to load, and offers to read them again", () => {
    signingTerms.current = { isPending: false, isError: true, data: undefined, error: new ApiError(502, "HTTP_502", "Bad Gateway"), refetch: vi.fn() };
    const markup = providedMarkup(<FundsPanel markets={[DEV_MARKET]} />);
    expect(markup).toContain("Deposits and withdrawals are paused: the exchange&#x27;s signing terms could not be loaded. Bad Gateway");
    expect(markup).toMatch(/role="alert"><span>Deposits and withdrawals are paused[^<]*<\/span><button type="button"[^>]*>Retry<\/button>/);
    const [deposit = "", withdrawal = ""] = buttons(markup);
    expect(deposit).toContain("disabled");
    expect(deposit).toMatch(/aria-describedby="[^"]+-terms"/);
    expect(withdrawal).toMatch(/aria-describedby="[^"]+-terms"/);
  });

  it("shows no such error while the terms are still on their way", () => {
    signingTerms.current = { isPending: true, isError: false, data: undefined, error: null, refetch: vi.fn() };
    const markup = providedMarkup(<FundsPanel markets={[DEV_MARKET]} />);
    expect(markup).not.toContain("signing terms could not be loaded");
    expect(buttons(markup)[0]).toContain("disabled");
  });
});
