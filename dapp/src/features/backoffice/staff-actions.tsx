/**
 * What an admin (staff.manage) does to another member of staff: change the role, reset the two-step sign-in (a lost
 * phone), send an invitation again (one never accepted, or expired), disable the account. Each change but the
 * invitation asks for the reason the audit log keeps; the server checks the permission and writes the log.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { SelectField, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ReasonDialog } from "./reason-dialog";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { Role, StaffMember } from "./staff-types";

export const STAFF_KEY = ["staff", "accounts"];
export const ROLES: readonly Role[] = ["admin", "compliance", "support", "auditor"];

export type StaffChange = "role" | "totp" | "disable";

/** The actions an admin may take on `target` from the staff list (none on their own account). A reset of the
 * two-step sign-in only for one who has set it up: an invited member has nothing to reset (the server refuses it). */
export function staffActions(target: StaffMember, self: StaffMember): { change: StaffChange[]; resend: boolean } {
  if (target.disabled || target.id === self.id) return { change: [], resend: false };
  const change: StaffChange[] = target.totpEnrolled ? ["role", "totp", "disable"] : ["role", "disable"];
  return { change, resend: target.invitationPending };
}

const BUTTONS = {
  role: "backoffice.staff.changeRole",
  totp: "backoffice.staff.resetTotp",
  disable: "backoffice.staff.disable",
} as const;

/** The buttons of one row of the staff list. */
export function StaffRowActions({ target, self, onChange }: { target: StaffMember; self: StaffMember; onChange(change: StaffChange): void }) {
  const { t } = useI18n();
  const { change, resend } = staffActions(target, self);
  return (
    <div className="staff-card__actions">
      {change.map((name) => (
        <button
          key={name}
          type="button"
          className={`button button--small ${name === "disable" ? "button--sell" : ""}`}
          aria-label={t("backoffice.rowAction", { action: t(BUTTONS[name]), row: target.email })}
          onClick={() => onChange(name)}
        >
          {t(BUTTONS[name])}
        </button>
      ))}
      {resend ? <ResendInvitation target={target} /> : null}
    </div>
  );
}

function ResendInvitation({ target }: { target: StaffMember }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => staffApi.resendInvitation(target.id),
    onSuccess: (sent) => {
      void queryClient.invalidateQueries({ queryKey: STAFF_KEY });
      toast.show(
        sent.invitationMailed
          ? { kind: "success", title: t("backoffice.staff.invitationResent", { email: sent.email }) }
          : { kind: "error", title: t("backoffice.staff.invitationNotResent", { email: sent.email }) },
      );
    },
  });
  const action = t("backoffice.staff.resendInvitation");
  return (
    <>
      <button type="button" className="button button--small" disabled={resend.isPending} aria-label={t("backoffice.rowAction", { action, row: target.email })} onClick={() => resend.mutate()}>
        {action}
      </button>
      <StaffErrorAlert error={resend.error} />
    </>
  );
}

/** The dialog of the change picked on `target`: it asks for the reason (and the role), sends, and says it is done. */
export function StaffChangeDialog({ target, change, onClose }: { target: StaffMember; change: StaffChange; onClose(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(target.role);
  const send = useMutation({
    mutationFn: (reason: string) =>
      change === "role" ? staffApi.changeRole(target.id, role, reason) : change === "totp" ? staffApi.resetTotp(target.id, reason) : staffApi.disable(target.id, reason),
    onSuccess: (updated) => {
      void queryClient.invalidateQueries({ queryKey: STAFF_KEY });
      const done =
        change === "role"
          ? t("backoffice.staff.roleChanged", { email: updated.email, role: t(`backoffice.role.${updated.role}`) })
          : t(change === "totp" ? "backoffice.staff.totpReset" : "backoffice.staff.disabled", { email: updated.email });
      toast.show({ kind: "success", title: done });
      onClose();
    },
  });
  const words = {
    role: { title: "backoffice.staff.changeRoleTitle", text: "backoffice.staff.changeRoleText" },
    totp: { title: "backoffice.staff.resetTotpTitle", text: "backoffice.staff.resetTotpText" },
    disable: { title: "backoffice.staff.disableTitle", text: "backoffice.staff.disableText" },
  } as const;
  return (
    <ReasonDialog
      open
      danger={change !== "role"}
      title={t(words[change].title, { email: target.email })}
      confirm={t(BUTTONS[change])}
      pending={send.isPending}
      error={send.error}
      onConfirm={(reason) => send.mutate(reason)}
      onClose={onClose}
    >
      <p>{t(words[change].text)}</p>
      {change === "role" ? (
        <SelectField
          label={t("backoffice.staff.newRole")}
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
          options={ROLES.map((r) => [r, t(`backoffice.role.${r}`)] as const)}
        />
      ) : null}
    </ReasonDialog>
  );
}
