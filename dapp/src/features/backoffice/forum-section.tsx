/** Forum moderation: reported posts, hide, pin, lock, and bans of wallets. */
import type { StaffMember } from "./staff-types";

export function ForumSection(_props: { member: StaffMember }) {
  return null;
}
