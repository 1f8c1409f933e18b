/** Announcements: publish with a window, a severity and a placement; change or withdraw. */
import type { StaffMember } from "./staff-types";

export function AnnouncementsSection(_props: { member: StaffMember }) {
  return null;
}
