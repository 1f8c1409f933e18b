import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, errorFromResponse, withQuery } from "./api-client";

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

describe("api.find", () => {
  afterEach(() => vi.unstubAllGlobals());
  const answering = (status: number, body: unknown) =>
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify(body), { status }));

  it("reads what is there, and null for what the API has not (404): a read-back of an earlier request", async () => {
    answering(200, { hash: "0x01", status: "filled" });
    await expect(api.find("/v1/orders/0x01")).resolves.toEqual({ hash: "0x01", status: "filled" });
    answering(404, { error: { code: "ORDER_NOT_FOUND", message: "no order with this hash" } });
    await expect(api.find("/v1/orders/0x02")).resolves.toBeNull();
  });

  it("raises any other failure: the read-back said nothing", async () => {
    answering(503, { error: { code: "UNAVAILABLE", message: "later" } });
    await expect(api.find("/v1/withdrawals/0x03")).rejects.toMatchObject({ status: 503, code: "UNAVAILABLE" });
  });
});
