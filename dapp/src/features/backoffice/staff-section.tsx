/** "Staff": every staff account (staff.read) and whether it is in use; admins (staff.manage) invite new ones and act
 *  on the others (./staff-actions). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, SelectField, useToast, type Column } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { emailProblem } from "./forms";
import { can } from "./permissions";
import { QueryTable } from "./query-table";
import { ROLES, STAFF_KEY, StaffChangeDialog, StaffRowActions, type StaffChange } from "./staff-actions";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { Role, StaffMember } from "./staff-types";


export function StaffSection({ member }: { member: StaffMember }) {
  const { t, formatDate } = useI18n();
  const manage = can(member, "staff.manage");
  const list = useQuery({ queryKey: STAFF_KEY, queryFn: staffApi.staffList });
  const [changing, setChanging] = useState<{ target: StaffMember; change: StaffChange } | null>(null);

  const columns: Column<StaffMember>[] = [
    { id: "email", header: t("backoffice.col.email"), cell: (s) => s.email },
    { id: "role", header: t("backoffice.staff.role"), cell: (s) => t(`backoffice.role.${s.role}`) },
    { id: "totp", header: t("backoffice.staff.totp"), cell: (s) => (s.totpEnrolled ? t("backoffice.yes") : t("backoffice.no")) },
    { id: "status", header: t("account.col.status"), cell: (s) => t(staffStatus(s)) },
    { id: "since", header: t("backoffice.col.since"), cell: (s) => formatDate(s.createdAt) },
  ];
  if (manage)
    columns.push({
      id: "action",
      header: t("kyc.col.action"),
      cell: (s) => <StaffRowActions target={s} self={member} onChange={(change) => setChanging({ target: s, change })} />,
    });

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.staff.title")}</h2>
      {manage ? <InviteStaff /> : null}
      <QueryTable
        label={t("backoffice.staff.title")}
        columns={columns}
        rows={list.data?.staff}
        rowKey={(s) => String(s.id)}
        query={list}
        empty={t("backoffice.staff.empty")}
      />
      {changing ? <StaffChangeDialog key={`${changing.target.id}-${changing.change}`} {...changing} onClose={() => setChanging(null)} /> : null}
    </section>
  );
}

/** A member's state in words: disabled, invited and not yet in (no password set), or active. */
export function staffStatus(member: Pick<StaffMember, "disabled" | "invitationPending">): MessageKey {
  if (member.disabled) return "backoffice.staff.statusDisabled";
  return member.invitationPending ? "backoffice.staff.statusPending" : "backoffice.staff.statusActive";
}

function InviteStaff() {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("support");
  const [attempted, setAttempted] = useState(false);
  const invite = useMutation({
    mutationFn: () => staffApi.invite(email.trim(), role),
    onSuccess: (created) => {
      setEmail("");
      setAttempted(false);
      void queryClient.invalidateQueries({ queryKey: STAFF_KEY });
      toast.show(
        created.invitationMailed
          ? { kind: "success", title: t("backoffice.staff.invited", { email: created.email }) }
          : { kind: "error", title: t("backoffice.staff.invitedNotMailed", { email: created.email }) },
      );
    },
  });

  const problem = emailProblem(email);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem) invite.mutate();
  }

  return (
    <form className="staff-form staff-form--inline" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{t("backoffice.staff.inviteTitle")}</h3>
      <Field
        label={t("backoffice.signIn.email")}
        type="email"
        autoComplete="off"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        error={attempted && problem ? t(problem.key, problem.params) : null}
      />
      <SelectField
        label={t("backoffice.staff.role")}
        value={role}
        onChange={(event) => setRole(event.target.value as Role)}
        options={ROLES.map((r) => [r, t(`backoffice.role.${r}`)] as const)}
      />
      <div className="staff-card__actions">
        <button type="submit" className="button button--primary" disabled={invite.isPending}>
          {t("backoffice.staff.invite")}
        </button>
      </div>
      <StaffErrorAlert error={invite.error} />
    </form>
  );
}
