import { describe, expect, it } from "vitest";
import { can, sectionFor, visibleSections } from "./permissions";
import type { Permission } from "./staff-types";

// The roles' permissions as backend/staff/roles.py grants them.
const ADMIN: Permission[] = ["staff.read", "staff.manage", "audit.read", "users.read", "kyc.read", "kyc.documents.read", "kyc.review", "limits.override", "denylist.read", "denylist.manage", "frozen.read", "frozen.release", "market.state", "alerts.read", "cases.manage", "risk.manage", "stats.read", "support.manage", "announcements.manage", "forum.moderate"];
const COMPLIANCE: Permission[] = ["audit.read", "users.read", "kyc.read", "kyc.documents.read", "kyc.review", "limits.override", "denylist.read", "denylist.manage", "frozen.read", "frozen.release", "alerts.read", "cases.manage", "stats.read"];
const SUPPORT: Permission[] = ["users.read", "kyc.read", "support.manage", "announcements.manage", "forum.moderate"];
const AUDITOR: Permission[] = ["staff.read", "audit.read", "users.read", "kyc.read", "denylist.read", "frozen.read", "alerts.read", "stats.read"];
const ids = (permissions: Permission[]) => visibleSections({ permissions }).map((section) => section.id);

describe("the sections a role sees", () => {
  it("shows an admin everything, the staff list included", () => {
    expect(ids(ADMIN)).toEqual(["kyc", "alerts", "cases", "risk", "users", "support", "help", "forum", "announcements", "stats", "denylist", "frozen", "markets", "audit", "staff"]);
  });

  it("hides the market switches and the staff list from compliance, and shows it alerts, cases and market risk", () => {
    expect(ids(COMPLIANCE)).toEqual(["kyc", "alerts", "cases", "risk", "users", "stats", "denylist", "frozen", "audit"]);
  });

  it("shows support the KYC queue, the users and its desk, and the auditor reads without switches", () => {
    expect(ids(SUPPORT)).toEqual(["kyc", "users", "support", "help", "forum", "announcements"]);
    expect(ids(AUDITOR)).toEqual(["kyc", "alerts", "cases", "risk", "users", "stats", "denylist", "frozen", "audit", "staff"]);
  });
});

describe("sectionFor", () => {
  it("opens the section the URL names when the role sees it, else the role's first", () => {
    expect(sectionFor({ permissions: ADMIN }, "markets")?.id).toBe("markets");
    expect(sectionFor({ permissions: SUPPORT }, "markets")?.id).toBe("support");
    expect(sectionFor({ permissions: SUPPORT }, "kyc")?.id).toBe("kyc");
    expect(sectionFor({ permissions: [] }, "kyc")).toBeNull();
  });
});

describe("the section a role lands on", () => {
  it("is the first where the role does its work: support answers tickets (it may only read the KYC queue)", () => {
    expect(sectionFor({ permissions: SUPPORT }, null)?.id).toBe("support");
    expect(sectionFor({ permissions: COMPLIANCE }, null)?.id).toBe("kyc");
    expect(sectionFor({ permissions: ADMIN }, null)?.id).toBe("kyc");
  });

  it("is the audit log for an auditor, who reads, and the first section for a role with no work anywhere", () => {
    expect(sectionFor({ permissions: AUDITOR }, null)?.id).toBe("audit");
    expect(sectionFor({ permissions: ["kyc.read", "users.read"] }, null)?.id).toBe("kyc");
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
