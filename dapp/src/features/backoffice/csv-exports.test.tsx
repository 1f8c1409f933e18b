import "./messages";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { tableCsv, type Column } from "../../components/ui";
import { providedMarkup } from "../../testing/markup";
import { AlertsSection } from "./alerts-section";
import { DEFAULT_ALERT_FILTER } from "./alerts";
import { CasesSection } from "./cases-section";
import type { Alert, Case } from "./staff-types";
import type { StaffTicket } from "./support-desk";
import { SupportSection } from "./support-section";
import { staffMember } from "./test-fixtures";

// Each section's tables as it hands them over: their columns and rows, which the CSV export saves.
const { tables, capture } = vi.hoisted(() => {
  const tables = new Map<string, { columns: Column<unknown>[]; rows: unknown[] }>();
  const capture = (props: { label: string; columns: Column<unknown>[]; rows?: readonly unknown[] }): ReactNode => {
    tables.set(props.label, { columns: props.columns, rows: [...(props.rows ?? [])] });
    return null;
  };
  return { tables, capture };
});
vi.mock("./query-table", () => ({ QueryTable: capture }));
vi.mock("../../components/ui", async (importOriginal) => ({ ...(await importOriginal<object>()), DataTable: capture }));

const AT = Date.UTC(2026, 11, 5, 12);
const page = <T,>(field: string, rows: T[]) => ({ pages: [{ [field]: rows, next: null }], pageParams: [null] });
const csvOf = (label: string) => {
  const table = tables.get(label);
  if (!table) throw new Error(`no table ${label}`);
  return tableCsv(table.columns, table.rows).trimEnd().split("\r\n");
};

describe("the CSV exports of the work lists", () => {
  it("save an alert's id, raised time, subject, status and case with its other columns", () => {
    const alert: Alert = { id: 12, kind: "aml.structuring", severity: "warning", subject: "wallet:0xab", message: "four withdrawals", details: null, status: "acknowledged", caseId: 3, occurrences: 2, createdAt: AT, lastSeenAt: AT };
    providedMarkup(<AlertsSection member={staffMember(["alerts.read", "cases.manage"])} />, [[["staff", "alerts", "list", DEFAULT_ALERT_FILTER], page("alerts", [alert])]]);
    expect(csvOf("Alerts")).toEqual([
      "No.,Raised,Severity,Kind,Subject,Message,Occurrences,Status,Case",
      "12,2026-12-05T12:00:00.000Z,warning,aml.structuring,wallet:0xab,four withdrawals,2,acknowledged,3",
    ]);
  });

  it("save a case's id, subject, assignee and times with its title and status", () => {
    const opened: Case = { id: 3, title: "Structuring?", subject: "wallet:0xab", status: "open", assignee: "ann@hdex.example", closeReason: null, createdBy: "staff:ann@hdex.example", createdAt: AT, updatedAt: AT + 60_000, alertIds: [12] };
    providedMarkup(<CasesSection member={staffMember(["alerts.read"])} />, [[["staff", "cases", "list", ""], page("cases", [opened])]]);
    const [header, row] = csvOf("Cases");
    expect(header?.split(",")).toHaveLength(7);
    expect(row).toBe("3,Structuring?,wallet:0xab,open,ann@hdex.example,2026-12-05T12:00:00.000Z,2026-12-05T12:01:00.000Z");
  });

  it("save a ticket's number, assignee and dates with its subject, category, status and wallet", () => {
    const ticket: StaffTicket = { id: 7, category: "deposit", subject: "Missing deposit", status: "open", address: "0xab", assignee: null, createdAt: AT, updatedAt: AT, firstResponseAt: null, resolvedAt: null, firstResponseMs: null, resolutionMs: null };
    providedMarkup(<SupportSection member={staffMember(["support.manage"])} />, [[["staff", "support", "queue", { status: "", assignee: "" }], page("tickets", [ticket])]]);
    const [header, row] = csvOf("Support tickets");
    expect(header?.split(",")).toHaveLength(8);
    expect(row).toBe("7,Missing deposit,deposit,open,0xab,,2026-12-05T12:00:00.000Z,2026-12-05T12:00:00.000Z");
    expect(csvOf("Statistics")[0]?.split(",")[0]).toBe("Day"); // the desk's daily figures, by day
  });
});
