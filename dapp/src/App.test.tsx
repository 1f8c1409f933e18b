import { describe, expect, it } from "vitest";
import { App } from "./App";
import { DEV_MARKET } from "./features/order-form/test-fixtures";
import { ApiError } from "./lib/api-client";
import { providedMarkup } from "./testing/markup";

describe("the trading page", () => {
  const outage = new ApiError(502, "HTTP_502", "Bad Gateway");

  it("stays when a poll of the markets fails: the order form and the funds keep what is in them", () => {
    // unmounted, they would forget an order or a withdrawal whose answer never came (to be resent as signed, not
    // signed anew) and the drafts typed into them
    const page = providedMarkup(<App />, [[["markets"], [DEV_MARKET]]], [[["markets"], outage]]);
    expect(page).toContain("trade-layout");
    expect(page).not.toContain("Bad Gateway");
  });

  it("says why, with a retry, when the markets could not be read at all", () => {
    const page = providedMarkup(<App />, [], [[["markets"], outage]]);
    expect(page).not.toContain("trade-layout");
    expect(page).toContain("Bad Gateway");
    expect(page).toContain("Retry");
  });
});
