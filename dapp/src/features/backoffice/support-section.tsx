/** The ticket queue (assign, reply, note, saved replies, status) and the help center's articles. */
import type { StaffMember } from "./staff-types";

export function SupportSection(_props: { member: StaffMember }) {
  return null;
}
