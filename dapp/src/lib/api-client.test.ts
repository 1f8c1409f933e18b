import { describe, expect, it } from "vitest";
import { ApiError, errorFromResponse, withQuery } from "./api-client";

describe("errorFromResponse", () => {
  it("carries the server's code, message and field", () => {
    const error = errorFromResponse(422, "Unprocessable", '{"error":{"code":"PRICE_OFF_TICK","message":"price must be a multiple of 10000","field":"order.limitPrice"}}', null);
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.field]).toEqual([422, "PRICE_OFF_TICK", "price must be a multiple of 10000", "order.limitPrice"]);
  });

  it("reads Retry-After on rate-limited answers", () => {
    const error = errorFromResponse(429, "Too Many Requests", '{"error":{"code":"RATE_LIMITED","message":"slow down"}}', "7");
    expect(error.retryAfter).toBe(7);
    expect(error.field).toBeNull();
  });

  it("falls back to the status line when the body is not the error shape", () => {
    const error = errorFromResponse(502, "Bad Gateway", "<html>proxy</html>", null);
    expect([error.code, error.message]).toEqual(["HTTP_502", "Bad Gateway"]);
  });
});

describe("withQuery", () => {
  it("appends defined values only", () => {
    expect(withQuery("/v1/x", { limit: 50, cursor: null, market: "WETH-USDC", none: undefined })).toBe("/v1/x?limit=50&market=WETH-USDC");
    expect(withQuery("/v1/x", {})).toBe("/v1/x");
  });
});
