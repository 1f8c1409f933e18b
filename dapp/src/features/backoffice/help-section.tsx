/** The help center's articles for staff: write in Markdown, preview, publish or withdraw. */
import type { StaffMember } from "./staff-types";

export function HelpSection(_props: { member: StaffMember }) {
  return null;
}
