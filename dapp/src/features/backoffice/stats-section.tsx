/** Statistics for staff: users, funnel, cohorts, fee revenue, with plots and CSV export. */
import type { StaffMember } from "./staff-types";

export function StatsSection(_props: { member: StaffMember }) {
  return null;
}
