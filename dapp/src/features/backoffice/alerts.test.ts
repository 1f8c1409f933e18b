import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { ALERT_KIND_NAMES, ALERT_KINDS, alertMatches, alertQuery, caseTitleProblem, DEFAULT_ALERT_FILTER, mergeAlert, parseAlertEvent, suggestedCaseTitle } from "./alerts";
import type { Alert, AlertPage } from "./staff-types";

function alert(id: number, changes: Partial<Alert> = {}): Alert {
  return {
    id,
    kind: "aml.structuring",
    severity: "warning",
    subject: "wallet:0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    message: `alert ${id}`,
    details: {},
    status: "open",
    caseId: null,
    occurrences: 1,
    createdAt: 1_700_000_000_000 + id,
    lastSeenAt: 1_700_000_000_000 + id,
    ...changes,
  };
}

function pages(...lists: Alert[][]) {
  return { pages: lists.map((alerts): AlertPage => ({ alerts, next: null })), pageParams: lists.map(() => null) };
}

describe("the alert filters", () => {
  it("send only the filters that are set", () => {
    expect(alertQuery(DEFAULT_ALERT_FILTER)).toEqual({ status: "open" });
    expect(alertQuery({ status: "", severity: "critical", kind: "feed.stale" })).toEqual({ severity: "critical", kind: "feed.stale" });
  });

  it("match an alert on every filter that is set", () => {
    expect(alertMatches(alert(1), DEFAULT_ALERT_FILTER)).toBe(true);
    expect(alertMatches(alert(1, { status: "closed" }), DEFAULT_ALERT_FILTER)).toBe(false);
    expect(alertMatches(alert(1), { status: "", severity: "critical", kind: "" })).toBe(false);
    expect(alertMatches(alert(1), { status: "", severity: "", kind: "aml.velocity" })).toBe(false);
  });
});

describe("a live alert from the stream", () => {
  it("goes first when it is new and matches the filter", () => {
    const merged = mergeAlert(pages([alert(2), alert(1)]), alert(3), DEFAULT_ALERT_FILTER);
    expect(merged?.pages[0]?.alerts.map((a) => a.id)).toEqual([3, 2, 1]);
  });

  it("replaces its older copy where it is (a repeat counts one more occurrence)", () => {
    const merged = mergeAlert(pages([alert(3)], [alert(2), alert(1)]), alert(2, { occurrences: 4 }), DEFAULT_ALERT_FILTER);
    expect(merged?.pages.map((page) => page.alerts.map((a) => [a.id, a.occurrences]))).toEqual([[[3, 1]], [[2, 4], [1, 1]]]);
  });

  it("leaves the list when it no longer matches (closed while the list shows open alerts)", () => {
    const merged = mergeAlert(pages([alert(2), alert(1)]), alert(2, { status: "closed" }), DEFAULT_ALERT_FILTER);
    expect(merged?.pages[0]?.alerts.map((a) => a.id)).toEqual([1]);
  });

  it("is not added to a list it does not belong to, nor to one not read yet", () => {
    const merged = mergeAlert(pages([alert(1)]), alert(5, { severity: "info" }), { status: "", severity: "critical", kind: "" });
    expect(merged?.pages[0]?.alerts.map((a) => a.id)).toEqual([1]);
    expect(mergeAlert(undefined, alert(5), DEFAULT_ALERT_FILTER)).toBeUndefined();
  });

  it("is read only from well-formed event data", () => {
    expect(parseAlertEvent(JSON.stringify(alert(7)))?.id).toBe(7);
    expect(parseAlertEvent("not json")).toBeNull();
    expect(parseAlertEvent(JSON.stringify({ id: "7", kind: "x", message: "m", severity: "warning", status: "open" }))).toBeNull();
    expect(parseAlertEvent(JSON.stringify({ ...alert(7), severity: "panic" }))).toBeNull();
    expect(parseAlertEvent(undefined)).toBeNull();
  });
});

describe("words for alerts", () => {
  it("name every kind the alert store raises in every language", () => {
    for (const kind of ALERT_KINDS) {
      for (const locale of ["en", "zh-CN"]) expect(translate(locale, ALERT_KIND_NAMES[kind])).not.toBe(ALERT_KIND_NAMES[kind]);
    }
  });

  it("ask for a case title and propose one from the first alert", () => {
    expect(translate("en", caseTitleProblem("  ")?.key ?? "")).toBe("Give the case a title.");
    expect(caseTitleProblem("Structuring by 0x9965")).toBeNull();
    const title = suggestedCaseTitle([alert(1), alert(2)], (kind) => translate("en", ALERT_KIND_NAMES[kind as "aml.structuring"]));
    expect(title).toBe("Structuring: wallet:0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc (+1)");
  });
});
