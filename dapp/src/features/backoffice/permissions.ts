/**
 * Which back-office sections and actions a role sees, from the permissions GET /v1/staff/me lists. Only
 * what the page shows: the server checks every request again (403 STAFF_FORBIDDEN).
 */
import type { MessageKey } from "../../i18n";
import type { Permission, StaffMember } from "./staff-types";

export type SectionId =
  | "alerts"
  | "cases"
  | "risk"
  | "kyc"
  | "users"
  | "support"
  | "help"
  | "forum"
  | "announcements"
  | "stats"
  | "denylist"
  | "frozen"
  | "markets"
  | "audit"
  | "staff";

export interface Section {
  id: SectionId;
  /** Needed to see the section at all. */
  needs: Permission;
  /** Needed for the work done there (deciding, answering, releasing); none for a section only read. */
  work?: Permission;
  title: MessageKey;
}

export const SECTIONS: readonly Section[] = [
  { id: "kyc", needs: "kyc.read", work: "kyc.review", title: "backoffice.kyc.title" },
  // Reading alerts, cases and the market risk state needs alerts.read; their actions cases.manage / risk.manage.
  { id: "alerts", needs: "alerts.read", work: "cases.manage", title: "backoffice.alerts.title" },
  { id: "cases", needs: "alerts.read", work: "cases.manage", title: "backoffice.cases.title" },
  { id: "risk", needs: "alerts.read", work: "risk.manage", title: "backoffice.risk.title" },
  { id: "users", needs: "users.read", work: "limits.override", title: "backoffice.users.title" },
  // The ticket queue and saved replies; help articles; forum moderation; announcements; statistics.
  { id: "support", needs: "support.manage", work: "support.manage", title: "backoffice.support.title" },
  { id: "help", needs: "support.manage", work: "support.manage", title: "backoffice.help.title" },
  { id: "forum", needs: "forum.moderate", work: "forum.moderate", title: "backoffice.forum.title" },
  { id: "announcements", needs: "announcements.manage", work: "announcements.manage", title: "backoffice.announcements.title" },
  { id: "stats", needs: "stats.read", title: "backoffice.stats.title" },
  { id: "denylist", needs: "denylist.read", work: "denylist.manage", title: "backoffice.denylist.title" },
  { id: "frozen", needs: "frozen.read", work: "frozen.release", title: "backoffice.frozen.title" },
  // The market list is public; the section is its state switches.
  { id: "markets", needs: "market.state", work: "market.state", title: "backoffice.markets.title" },
  { id: "audit", needs: "audit.read", work: "audit.read", title: "backoffice.audit.title" },
  { id: "staff", needs: "staff.read", work: "staff.manage", title: "backoffice.staff.title" },
];

export function can(member: Pick<StaffMember, "permissions"> | null | undefined, permission: Permission): boolean {
  return Boolean(member?.permissions.includes(permission));
}

export function visibleSections(member: Pick<StaffMember, "permissions">): Section[] {
  return SECTIONS.filter((section) => can(member, section.needs));
}

/** The section to show for the URL's `requested` one: it if the role sees it, else the first where the role can do
 *  its work (support answers tickets; it only reads the KYC queue), else the first the role sees. */
export function sectionFor(member: Pick<StaffMember, "permissions">, requested: string | null): Section | null {
  const visible = visibleSections(member);
  const working = visible.find((section) => section.work !== undefined && can(member, section.work));
  return visible.find((section) => section.id === requested) ?? working ?? visible[0] ?? null;
}
