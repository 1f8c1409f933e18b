import "./messages";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api-client";
import { providedMarkup } from "../../testing/markup";
import { QueryTable } from "./query-table";

const rows = [{ id: 1 }, { id: 2 }];
const table = (hasNextPage: boolean, error: Error | null = null) =>
  providedMarkup(
    <QueryTable
      label="Alerts"
      columns={[{ id: "id", header: "Id", cell: (r: { id: number }) => `alert ${r.id}`, csv: (r: { id: number }) => String(r.id) }]}
      rows={rows}
      rowKey={(r) => String(r.id)}
      query={{ isPending: false, data: rows, error, refetch: async () => undefined, hasNextPage }}
      empty="none"
      csvFileName="alerts.csv"
    />,
  );

describe("a staff table's export button", () => {
  it("says it saves only the rows loaded, and how many, while the server holds more", () => {
    expect(table(true)).toContain(">Export 2 loaded rows (CSV)</button>");
  });

  it("says Export CSV once every row is loaded", () => {
    expect(table(false)).toContain(">Export CSV</button>");
  });
});

describe("a staff table whose re-read failed", () => {
  it("keeps the rows it shows when the server was unavailable, busy or unreachable, for the next poll to renew", () => {
    for (const error of [new ApiError(503, "UNAVAILABLE", "down"), new ApiError(429, "RATE_LIMITED", "slow down"), new TypeError("Failed to fetch")]) {
      const markup = table(false, error);
      expect(markup).toContain("<td>alert 1</td>");
      expect(markup).not.toContain(">Retry</button>");
    }
  });

  it("shows a refusal in place of the rows: they are no longer the member's to see", () => {
    const markup = table(false, new ApiError(403, "STAFF_FORBIDDEN", "alerts.read"));
    expect(markup).not.toContain("<td>alert 1</td>");
    expect(markup).toContain(">Retry</button>");
  });
});
