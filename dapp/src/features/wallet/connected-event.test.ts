import { describe, expect, it } from "vitest";
import { reportConnected } from "./connected-event";

describe("the wallet-connected statistics event", () => {
  it("is sent once per address and page, with the wallet and the kind only", async () => {
    const sent: unknown[] = [];
    const post = (path: string, body: unknown) => {
      sent.push([path, body]);
      return Promise.resolve({ recorded: true });
    };
    const address = "0x" + "Ab".repeat(20);
    expect(reportConnected(address, post)).toBe(true);
    expect(reportConnected(address.toLowerCase(), post)).toBe(false);
    expect(sent).toEqual([["/v1/stats/events", { event: "wallet_connected", wallet: address }]]);
  });

  it("ignores a refusal (statistics never get in the user's way)", async () => {
    const refused = () => Promise.reject(new Error("429"));
    expect(reportConnected("0x" + "cd".repeat(20), refused)).toBe(true);
    await Promise.resolve();
  });
});
