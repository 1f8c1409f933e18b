import "./messages";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api-client";
import { providedMarkup } from "../../testing/markup";
import { staffMember } from "./test-fixtures";
import { FrozenSection } from "./frozen-section";
import type { FrozenDeposit, Permission } from "./staff-types";

const WALLET = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const HELD: FrozenDeposit = {
  id: 7,
  wallet: WALLET,
  token: "0x0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
  symbol: "USDC",
  decimals: 6,
  amount: "500250000",
  reason: "deny-listed: stolen funds",
  txHash: "0x" + "ab".repeat(32),
  blockNumber: 100,
  state: "held",
  frozenAt: Date.UTC(2026, 11, 5, 12),
  releasedAt: null,
  releasedBy: null,
  releaseReason: null,
};
const UNLISTED_TOKEN: FrozenDeposit = { ...HELD, id: 6, token: "0x" + "cd".repeat(20), symbol: null, decimals: null, amount: "42" };
const RELEASED: FrozenDeposit = {
  ...HELD,
  id: 5,
  state: "released",
  releasedAt: Date.UTC(2026, 11, 5, 13),
  releasedBy: "staff:ada@hdex.example",
  releaseReason: "a theft victim <b>refunded</b>",
};

const HELD_KEY = ["staff", "frozen", "held"];
const html = (permissions: Permission[], rows: FrozenDeposit[], failed: Error[] = []) =>
  providedMarkup(
    <FrozenSection member={staffMember(permissions)} />,
    [[HELD_KEY, { pages: [{ frozen: rows, next: null }], pageParams: [null] }]],
    failed.map((error) => [HELD_KEY, error] as const),
  );

describe("the frozen deposits section", () => {
  it("shows staff who may release a Release button on a held deposit, named by its amount and wallet", () => {
    const markup = html(["frozen.read", "frozen.release"], [HELD]);
    expect(markup).toContain("500.25 USDC");
    expect(markup).toContain(`aria-label="Release 500.25 USDC of ${WALLET}"`);
    expect(markup).toContain(">Release</button>");
    expect(markup).toContain("deny-listed: stolen funds");
    expect(markup).toContain("block 100");
  });

  it("shows a reader the list without the button", () => {
    const markup = html(["frozen.read"], [HELD]);
    expect(markup).toContain("500.25 USDC");
    expect(markup).not.toContain(">Release</button>");
  });

  it("offers no release of one released already, and says who released it and why, as text", () => {
    const markup = html(["frozen.read", "frozen.release"], [RELEASED]);
    expect(markup).not.toContain(">Release</button>");
    expect(markup).toContain("Released by staff:ada@hdex.example at");
    expect(markup).toContain("a theft victim &lt;b&gt;refunded&lt;/b&gt;");
  });

  it("states an amount of a token no market lists in base units, naming the token", () => {
    expect(html(["frozen.read"], [UNLISTED_TOKEN])).toContain(`42 base units ${"0x" + "cd".repeat(20)}`);
  });

  it("says when nothing is frozen", () => {
    expect(html(["frozen.read"], [])).toContain("No frozen deposits here.");
  });

  it("keeps the held deposits, and their Release buttons, on screen when a poll finds the server unavailable", () => {
    const markup = html(["frozen.read", "frozen.release"], [HELD], [new ApiError(503, "UNAVAILABLE", "the exchange is briefly unavailable")]);
    expect(markup).toContain(`aria-label="Release 500.25 USDC of ${WALLET}"`);
    expect(markup).not.toContain(">Retry</button>");
  });
});

describe("a frozen deposit's transaction", () => {
  it("keeps the short hash in view and offers its whole hash to copy, by a button that names it", () => {
    const markup = html(["frozen.read"], [HELD]);
    expect(markup).toContain(`<code title="${HELD.txHash}">0xabababab…</code>`);
    expect(markup).toContain(`aria-label="Copy transaction hash ${HELD.txHash}">Copy</button>`);
  });
});
