import { describe, expect, it } from "vitest";
import { claimToken, verifyTokenOf, withoutVerifyToken } from "./verify-email";

describe("the e-mail link", () => {
  it("reads a plausible token from the query and ignores anything else", () => {
    expect(verifyTokenOf("?verifyEmail=Zm9vYmFyYmF6LXF1eA_1")).toBe("Zm9vYmFyYmF6LXF1eA_1");
    expect(verifyTokenOf("?verifyEmail=short")).toBeNull();
    expect(verifyTokenOf("?verifyEmail=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).toBeNull();
    expect(verifyTokenOf("?other=1")).toBeNull();
  });

  it("takes the token out of the address and keeps the rest", () => {
    expect(withoutVerifyToken("/account", "?verifyEmail=abcdefgh12&tab=kyc", "#limits")).toBe("/account?tab=kyc#limits");
    expect(withoutVerifyToken("/account", "?verifyEmail=abcdefgh12", "")).toBe("/account");
  });

  it("sends a token once, however often the page's effects run", () => {
    expect(claimToken("token-claimed-once")).toBe(true);
    expect(claimToken("token-claimed-once")).toBe(false);
  });
});
