import { describe, expect, it } from "vitest";
import { translate, type MessageKey, type MessageParams } from "../../i18n";
import { bulkCancelBody, bulkCancelNotice, bulkCancelScope } from "./bulk-cancel";

// From the Python side (backend/trading/cancels.py `bulk_cancel_scope`), regenerate with `.venv/bin/python`:
//   from backend.signing.typed_data import keccak
//   keccak(b"HDEX cancel-all|WETH-USDC|1700000000123").hex(); keccak(b"HDEX cancel-all|*|1700000000123").hex()
describe("bulk cancel", () => {
  it("derives the scope of one market and of every market as the backend does", () => {
    expect(bulkCancelScope("WETH-USDC", 1_700_000_000_123n)).toBe(
      "0xb1b0c173275d6fbefb642f8edf42982bff22bda067c4e89ec843a130d662d104",
    );
    expect(bulkCancelScope(null, 1_700_000_000_123n)).toBe(
      "0x1eb3b49ba0b4dd53b7696b4098c012f9afe86a7e708b7858e19130aa4c12d5ac",
    );
  });

  it("sends the timestamp exactly as signed, in decimal", () => {
    expect(bulkCancelBody("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", null, 1_700_000_000_123n, "0xab")).toEqual({
      maker: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      market: null,
      timestamp: "1700000000123",
      signature: "0xab",
    });
  });

  it("tells of orders a halted market kept open as a notice that stays, not as a success", () => {
    const t = (key: MessageKey, params?: MessageParams) => translate("en", key, params);
    expect(bulkCancelNotice({ cancelled: ["0xa", "0xb"], kept: [] }, t)).toEqual({ kind: "success", title: "Cancelled 2 orders" });
    const kept = bulkCancelNotice({ cancelled: ["0xa"], kept: ["0xb", "0xc"] }, t);
    expect([kept.kind, kept.title]).toEqual(["error", "2 orders stay open: their market is halted"]);
    expect(kept.body).toContain("Cancelled 1 orders");
    expect(kept.body).toContain("Cancel all on-chain");
  });
});
