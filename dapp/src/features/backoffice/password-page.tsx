/**
 * `/staff/reset-password#token=...`: the page of a password-reset or invitation mail. The token travels
 * in the fragment (never sent to a server or in a Referer) and leaves the address bar once used.
 */
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { Link, navigate, paths, useLocation } from "../../lib/router";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";

const MIN_PASSWORD_CHARS = 12; // backend/staff/credentials.py
const MAX_PASSWORD_CHARS = 256;

/** The token of a `#token=<token>` fragment, if any. */
export function resetTokenOf(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token");
  return token && /^[A-Za-z0-9_.~-]{8,256}$/.test(token) ? token : null;
}

/** What is wrong with a new password and its repetition, or null. */
export function newPasswordProblem(password: string, repeated: string): MessageKey | null {
  if (password.length < MIN_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS) return "backoffice.password.length";
  if (password !== repeated) return "backoffice.password.mismatch";
  return null;
}

export function PasswordPage() {
  const { t } = useI18n();
  const ids = useId();
  const location = useLocation();
  const [token] = useState(() => resetTokenOf(location.hash));
  const [password, setPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [attempted, setAttempted] = useState(false);
  const confirm = useMutation({
    mutationFn: () => staffApi.confirmPasswordReset(token ?? "", password),
    onSuccess: () => navigate(location.pathname, { replace: true }),
  });
  const problem = newPasswordProblem(password, repeated);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem && token) confirm.mutate();
  }

  let body;
  if (confirm.isSuccess)
    body = (
      <p role="status">
        {t("backoffice.password.done")} <Link to={paths.backoffice}>{t("backoffice.password.signIn")}</Link>
      </p>
    );
  else if (!token) body = <p role="alert">{t("backoffice.error.resetLink")}</p>;
  else
    body = (
      <>
        <Field
          label={t("backoffice.password.new")}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          hint={t("backoffice.password.hint", { min: MIN_PASSWORD_CHARS })}
          error={attempted && problem === "backoffice.password.length" ? t(problem, { min: MIN_PASSWORD_CHARS, max: MAX_PASSWORD_CHARS }) : null}
        />
        <Field
          label={t("backoffice.password.repeat")}
          type="password"
          autoComplete="new-password"
          value={repeated}
          onChange={(event) => setRepeated(event.target.value)}
          error={attempted && problem === "backoffice.password.mismatch" ? t(problem) : null}
        />
        <div className="staff-card__actions">
          <button type="submit" className="button button--primary" disabled={confirm.isPending}>
            {t("backoffice.password.submit")}
          </button>
        </div>
        <StaffErrorAlert error={confirm.error} />
      </>
    );

  return (
    <form className="panel staff-card" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("backoffice.password.title")}
      </h2>
      <div className="staff-card__body">{body}</div>
    </form>
  );
}
