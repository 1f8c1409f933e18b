import { describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../testing/markup";
import type { StreamError, StreamStatus } from "./stream-client";
import { StreamNotice } from "./stream-notice";

// The stream's state as the test names it (hoisted, as vi.mock runs before the imports).
const { live } = vi.hoisted(() => ({ live: { status: "open" as StreamStatus, error: null as StreamError | null } }));
vi.mock("./use-stream", () => ({ useStreamStatus: () => live.status, useStreamError: () => live.error }));

function shown(status: StreamStatus, error: StreamError | null): string {
  live.status = status;
  live.error = error;
  return providedMarkup(<StreamNotice />);
}

describe("the live data notice", () => {
  it("tells a subscription refused as rate limited, in words, and that it is asked again", () => {
    const markup = shown("open", { code: "RATE_LIMITED", message: "too many messages from this client address", field: "op" });
    expect(markup).toContain('role="status" aria-label="Live data"');
    expect(markup).toContain("The exchange is limiting live data from your network (too many requests). Asking again shortly");
  });

  it("tells any other refusal with the server's reason and what to do", () => {
    expect(shown("open", { code: "UNKNOWN_MARKET", message: "no such market", field: "market" })).toContain(
      "The exchange refused a live data request (no such market): the book, trades or prices may not update. Reload the page to ask again.",
    );
  });

  it("tells a reconnect, and nothing while live data flows", () => {
    expect(shown("reconnecting", null)).toContain("Live data reconnecting…");
    expect(shown("open", null)).not.toContain("banner");
  });
});
