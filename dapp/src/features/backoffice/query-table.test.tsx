import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { QueryTable } from "./query-table";

const rows = [{ id: 1 }, { id: 2 }];
const table = (hasNextPage: boolean) =>
  providedMarkup(
    <QueryTable
      label="Alerts"
      columns={[{ id: "id", header: "Id", cell: (r: { id: number }) => String(r.id), csv: (r: { id: number }) => String(r.id) }]}
      rows={rows}
      rowKey={(r) => String(r.id)}
      query={{ isPending: false, error: null, refetch: async () => undefined, hasNextPage }}
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
