import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { lastDays, STAFF_TABLES } from "./stats-office";
import { StatsSection } from "./stats-section";
import { staffMember } from "./test-fixtures";

describe("the staff statistics", () => {
  it("say No data in this range under each chart and table whose answer is empty", () => {
    const range = lastDays(30, Date.now());
    const tables = ["users", "funnel", "cohorts", "fees", "tokens"];
    expect(STAFF_TABLES).toEqual(expect.arrayContaining(tables));
    const markup = providedMarkup(
      <StatsSection member={staffMember(["stats.read"])} />,
      tables.map((table) => [["staff", "stats", table, range], { ...range, table, rows: [] }] as const),
    );
    // active wallets and fee revenue (charts), the funnel and cohorts (tables), users and tokens (data tables)
    expect(markup.match(/No data in this range\./g)?.length).toBe(6);
  });

  it("say nothing of the kind while the figures are read", () => {
    expect(providedMarkup(<StatsSection member={staffMember(["stats.read"])} />)).not.toContain("No data in this range.");
  });

  it("name each export by what it holds, in the page's words, not by the server's table name", () => {
    const range = lastDays(30, Date.now());
    const markup = providedMarkup(
      <StatsSection member={staffMember(["stats.read"])} />,
      STAFF_TABLES.map((table) => [["staff", "stats", table, range], { ...range, table, rows: [] }] as const),
    );
    const links = [...markup.matchAll(/<a [^>]*download[^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(links).toHaveLength(STAFF_TABLES.length);
    expect(links).toContain("Fees (CSV)");
    expect(links).toContain("Deposits and withdrawals (CSV)");
    expect(links.filter((name) => /^[a-z]+ \(CSV\)$/.test(name ?? ""))).toEqual([]); // no bare table name
  });
});
