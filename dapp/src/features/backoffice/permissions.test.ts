import { describe, expect, it } from "vitest";
import { can, sectionFor, visibleSections } from "./permissions";
import type { Permission } from "./staff-types";

// The roles' permissions as backend/staff/roles.py grants them.
const ADMIN: Permission[] = ["staff.read", "staff.manage", "audit.read", "users.read", "kyc.read", "kyc.documents.read", "kyc.review", "limits.override", "denylist.read", "denylist.manage", "frozen.read", "frozen.release", "market.state", "alerts.read", "cases.manage", "risk.manage"];
const COMPLIANCE: Permission[] = ["audit.read", "users.read", "kyc.read", "kyc.documents.read", "kyc.review", "limits.override", "denylist.read", "denylist.manage", "frozen.read", "frozen.release", "alerts.read", "cases.manage"];
const SUPPORT: Permission[] = ["users.read", "kyc.read"];
const AUDITOR: Permission[] = ["staff.read", "audit.read", "users.read", "kyc.read", "denylist.read", "frozen.read", "alerts.read"];
const ids = (permissions: Permission[]) => visibleSections({ permissions }).map((section) => section.id);

describe("the sections a role sees", () => {
  it("shows an admin everything, the staff list included", () => {
    expect(ids(ADMIN)).toEqual(["kyc", "alerts", "cases", "risk", "users", "denylist", "frozen", "markets", "audit", "staff"]);
  });

  it("hides the market switches and the staff list from compliance, and shows it alerts, cases and market risk", () => {
    expect(ids(COMPLIANCE)).toEqual(["kyc", "alerts", "cases", "risk", "users", "denylist", "frozen", "audit"]);
  });

  it("shows support only the KYC queue and the users, and the auditor reads without switches", () => {
    expect(ids(SUPPORT)).toEqual(["kyc", "users"]);
    expect(ids(AUDITOR)).toEqual(["kyc", "alerts", "cases", "risk", "users", "denylist", "frozen", "audit", "staff"]);
  });
});

describe("sectionFor", () => {
  it("opens the section the URL names when the role sees it, else the role's first", () => {
    expect(sectionFor({ permissions: ADMIN }, "markets")?.id).toBe("markets");
    expect(sectionFor({ permissions: SUPPORT }, "markets")?.id).toBe("kyc");
    expect(sectionFor({ permissions: SUPPORT }, null)?.id).toBe("kyc");
    expect(sectionFor({ permissions: [] }, "kyc")).toBeNull();
  });
});

describe("can", () => {
  it("answers from the permission list only", () => {
    expect(can({ permissions: SUPPORT }, "kyc.documents.read")).toBe(false);
    expect(can({ permissions: COMPLIANCE }, "kyc.documents.read")).toBe(true);
    expect(can(null, "kyc.read")).toBe(false);
  });

  it("gives compliance the case actions but not the market risk controls", () => {
    expect(can({ permissions: COMPLIANCE }, "cases.manage")).toBe(true);
    expect(can({ permissions: COMPLIANCE }, "risk.manage")).toBe(false);
    expect(can({ permissions: AUDITOR }, "cases.manage")).toBe(false);
    expect(can({ permissions: ADMIN }, "risk.manage")).toBe(true);
  });
});
