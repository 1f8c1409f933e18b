import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { StaffChangeDialog, staffActions } from "./staff-actions";
import { StaffSection } from "./staff-section";
import type { StaffMember } from "./staff-types";
import { staffMember } from "./test-fixtures";

const admin: StaffMember = { ...staffMember(["staff.read", "staff.manage"]), id: 1, email: "admin@hdex.example", role: "admin" };
const active: StaffMember = { ...admin, id: 2, email: "ann@hdex.example", role: "compliance" };
const invited: StaffMember = { ...admin, id: 3, email: "new@hdex.example", role: "support", totpEnrolled: false, invitationPending: true };
const gone: StaffMember = { ...admin, id: 4, email: "old@hdex.example", disabled: true };

const list = (member: StaffMember) => providedMarkup(<StaffSection member={member} />, [[["staff", "accounts"], { staff: [admin, active, invited, gone] }]]);

describe("the staff list", () => {
  it("says who has not accepted their invitation yet", () => {
    const markup = list(admin);
    expect(markup).toContain("<td>Invitation pending</td>");
    expect(markup.match(/<td>active<\/td>/g)?.length).toBe(2);
    expect(markup).toContain("<td>disabled</td>");
  });

  it("offers an admin Change role, Reset two-step and Disable on others, and Resend invitation on one not accepted", () => {
    const markup = list(admin);
    for (const action of ["Change role", "Reset two-step", "Disable"]) {
      expect(markup).toContain(`aria-label="${action}: ann@hdex.example"`);
      expect(markup).not.toContain(`aria-label="${action}: admin@hdex.example"`); // not on their own account
      expect(markup).not.toContain(`aria-label="${action}: old@hdex.example"`);
    }
    expect(markup).toContain('aria-label="Resend invitation: new@hdex.example">Resend invitation</button>');
    // an invited member has set up no two-step sign-in yet: there is nothing to reset (the server refuses it)
    expect(markup).toContain('aria-label="Change role: new@hdex.example"');
    expect(markup).not.toContain('aria-label="Reset two-step: new@hdex.example"');
    expect(staffActions(invited, admin)).toEqual({ change: ["role", "disable"], resend: true });
    expect(markup).not.toContain('aria-label="Resend invitation: ann@hdex.example"');
  });

  it("offers a reader no action", () => {
    const reader = { ...admin, permissions: ["staff.read" as const] };
    expect(list(reader)).not.toContain("Change role");
    expect(staffActions(active, admin)).toEqual({ change: ["role", "totp", "disable"], resend: false });
  });
});

describe("a change of a member of staff", () => {
  it("asks for the new role and the reason to change a role", () => {
    const markup = providedMarkup(<StaffChangeDialog target={active} change="role" onClose={() => {}} />);
    expect(markup).toContain("Change the role of ann@hdex.example");
    expect(markup).toMatch(/<label[^>]*>New role<\/label>/);
    expect(markup).toMatch(/<option value="compliance" selected="">compliance<\/option>/);
    expect(markup).toMatch(/<label[^>]*>Reason<\/label>/);
  });

  it("says what a reset of the two-step sign-in does, and asks the reason", () => {
    const markup = providedMarkup(<StaffChangeDialog target={active} change="totp" onClose={() => {}} />);
    expect(markup).toContain("Reset the two-step sign-in of ann@hdex.example?");
    expect(markup).toContain("they set up a new app at their next sign-in");
    expect(markup).toContain('class="button button--sell">Reset two-step</button>');
  });
});
