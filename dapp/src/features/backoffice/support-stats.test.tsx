import "./messages";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { SupportStats } from "./support-stats";

// the last 30 days up to today, UTC: the range the section asks for first
const KEY = ["staff", "support", "stats", "2026-11-02", "2026-12-01"];
const DAY = { day: "2026-12-01", opened: 4, resolved: 3, medianFirstResponseMs: 60_000, medianResolutionMs: null };

describe("the support desk's statistics", () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse("2026-12-01T12:00:00Z") }));
  afterEach(() => vi.useRealTimers());

  it("say they are loading while the range's figures are on their way, not that there are none", () => {
    const markup = providedMarkup(<SupportStats />);
    expect(markup).toContain("Loading…");
    expect(markup).not.toContain("No days in this range.");
  });

  it("say there are none once the server answered no days", () => {
    const markup = providedMarkup(<SupportStats />, [[KEY, { days: [] }]]);
    expect(markup).toContain("No days in this range.");
    expect(markup).not.toContain("Loading…");
  });

  it("show each day the server answered", () => {
    expect(providedMarkup(<SupportStats />, [[KEY, { days: [DAY] }]])).toContain("<td>2026-12-01</td>");
  });
});
