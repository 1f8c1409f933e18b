import "./messages";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { AlertsSection } from "./alerts-section";
import { DEFAULT_ALERT_FILTER } from "./alerts";
import { AuditLogSection } from "./audit-log-section";
import { FrozenSection } from "./frozen-section";
import { StaffSection } from "./staff-section";
import { staffMember } from "./test-fixtures";

const empty = (field: string) => ({ pages: [{ [field]: [], next: null }], pageParams: [null] });

/** The names of the landmarks (named sections and regions) in `markup`, in order. */
function landmarkNames(markup: string): string[] {
  const text = (id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(markup)?.[1] ?? `#${id}`;
  return [...markup.matchAll(/<(section|div)\b([^>]*)>/g)].flatMap(([, tag, attributes = ""]) => {
    const isLandmark = tag === "section" || /role="region"/.test(attributes);
    const label = /aria-label="([^"]*)"/.exec(attributes)?.[1];
    const labelledBy = /aria-labelledby="([^"]*)"/.exec(attributes)?.[1];
    if (!isLandmark) return [];
    if (label !== undefined) return [label];
    return labelledBy !== undefined ? [text(labelledBy)] : [];
  });
}

// Each section fills the tab panel named by its tab: a section named the same, around a table named the same,
// repeated one name three times (axe landmark-unique).
const sections: [string, ReactNode, [readonly unknown[], unknown][]][] = [
  ["Alerts", <AlertsSection member={staffMember(["alerts.read"])} />, [[["staff", "alerts", "list", DEFAULT_ALERT_FILTER], empty("alerts")]]],
  ["Frozen deposits", <FrozenSection member={staffMember(["frozen.read"])} />, [[["staff", "frozen", "held"], empty("frozen")]]],
  ["Audit log", <AuditLogSection />, [[["staff", "audit", {}], empty("entries")]]],
  ["Staff", <StaffSection member={staffMember(["staff.read"])} />, [[["staff", "accounts"], { staff: [] }]]],
];

describe("the back office's sections", () => {
  for (const [name, section, cached] of sections) {
    it(`${name}: names each landmark once, and is no second landmark of its tab's name`, () => {
      const names = landmarkNames(providedMarkup(section, cached));
      expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
      expect(names.filter((n) => n === name).length).toBeLessThanOrEqual(1); // the table's region, if it bears it
    });
  }
});
