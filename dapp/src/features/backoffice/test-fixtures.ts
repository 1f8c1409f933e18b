/** For tests: a signed-in member of staff holding `permissions` (the page shows what they allow). */
import type { Permission, StaffMember } from "./staff-types";

export const staffMember = (permissions: Permission[]): StaffMember => ({
  id: 1,
  email: "ada@hdex.example",
  role: "compliance",
  permissions,
  disabled: false,
  totpEnrolled: true,
  invitationPending: false,
  createdAt: 0,
});
