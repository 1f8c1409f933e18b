import { describe, expect, it } from "vitest";
import { buildSiweMessage } from "./siwe";

describe("buildSiweMessage", () => {
  it("lays the fields out exactly as EIP-4361 specifies", () => {
    const message = buildSiweMessage({
      domain: "127.0.0.1:8000",
      address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      statement: "Sign in to HDEX.",
      uri: "http://127.0.0.1:8000",
      chainId: 31337,
      nonce: "abcdef0123456789",
      issuedAt: new Date("2026-01-02T03:04:05.000Z"),
      expirationTime: new Date("2026-01-03T03:04:05.000Z"),
    });
    expect(message).toBe(
      [
        "127.0.0.1:8000 wants you to sign in with your Ethereum account:",
        "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        "",
        "Sign in to HDEX.",
        "",
        "URI: http://127.0.0.1:8000",
        "Version: 1",
        "Chain ID: 31337",
        "Nonce: abcdef0123456789",
        "Issued At: 2026-01-02T03:04:05.000Z",
        "Expiration Time: 2026-01-03T03:04:05.000Z",
      ].join("\n"),
    );
  });

  it("keeps the grammar's two blank lines and leaves out the expiry when neither statement nor expiry is given", () => {
    const message = buildSiweMessage({
      domain: "example.com",
      address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      uri: "https://example.com",
      chainId: 1,
      nonce: "12345678",
      issuedAt: new Date(0),
    });
    expect(message.split("\n")).toEqual([
      "example.com wants you to sign in with your Ethereum account:",
      "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      "",
      "",
      "URI: https://example.com",
      "Version: 1",
      "Chain ID: 1",
      "Nonce: 12345678",
      "Issued At: 1970-01-01T00:00:00.000Z",
    ]);
  });
});
