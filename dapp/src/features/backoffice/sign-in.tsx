/**
 * Staff sign-in: e-mail and password, then the authenticator's six-digit code or a recovery code. An
 * account without TOTP yet gets its provisioning QR code (an image of the server's SVG) and secret here;
 * the sign-in that completes the set-up shows the recovery codes once.
 */
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import type { Challenge, SignedIn, StaffSession, TotpSetup } from "./staff-types";
import { groupSecret, svgDataUrl } from "./qr";

type Step =
  | { kind: "password"; notice: "expired" | "signed-out" | "challenge" | null }
  | { kind: "code"; challenge: Challenge }
  | { kind: "recovery-codes"; signedIn: SignedIn }
  | { kind: "forgot" };

/** A code as typed ("123 456") to the six digits the API wants, or null. */
export function totpCode(text: string): string | null {
  const digits = text.replace(/[\s-]/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
}

export function SignIn({ notice, onSignedIn }: { notice: "expired" | "signed-out" | null; onSignedIn(session: StaffSession): void }) {
  const [step, setStep] = useState<Step>({ kind: "password", notice });
  if (step.kind === "code")
    return (
      <CodeStep
        challenge={step.challenge}
        onSignedIn={(signedIn) => (signedIn.recoveryCodes?.length ? setStep({ kind: "recovery-codes", signedIn }) : onSignedIn(signedIn))}
        onRestart={(expired) => setStep({ kind: "password", notice: expired ? "challenge" : null })}
      />
    );
  if (step.kind === "recovery-codes") return <RecoveryCodes signedIn={step.signedIn} onDone={() => onSignedIn(step.signedIn)} />;
  if (step.kind === "forgot") return <ForgotPassword onBack={() => setStep({ kind: "password", notice: null })} />;
  return (
    <PasswordStep
      notice={step.notice}
      onChallenge={(challenge) => setStep({ kind: "code", challenge })}
      onForgot={() => setStep({ kind: "forgot" })}
    />
  );
}

const NOTICES = {
  expired: "backoffice.signIn.expired",
  "signed-out": "backoffice.signIn.signedOut",
  challenge: "backoffice.error.challenge",
} as const;

function PasswordStep({ notice, onChallenge, onForgot }: { notice: keyof typeof NOTICES | null; onChallenge(c: Challenge): void; onForgot(): void }) {
  const { t } = useI18n();
  const ids = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [attempted, setAttempted] = useState(false);
  const login = useMutation({ mutationFn: () => staffApi.login(email.trim(), password), onSuccess: onChallenge });

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (email.trim() && password) login.mutate();
  }

  return (
    <form className="panel staff-card" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("backoffice.signIn.title")}
      </h2>
      <div className="staff-card__body">
        {notice ? <p role="status">{t(NOTICES[notice])}</p> : null}
        <Field
          label={t("backoffice.signIn.email")}
          type="email"
          autoComplete="username"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={attempted && !email.trim() ? t("backoffice.signIn.emailRequired") : null}
        />
        <Field
          label={t("backoffice.signIn.password")}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={attempted && !password ? t("backoffice.signIn.passwordRequired") : null}
        />
        <div className="staff-card__actions">
          <button type="submit" className="button button--primary" disabled={login.isPending}>
            {t("backoffice.signIn.submit")}
          </button>
          <button type="button" className="button button--ghost" onClick={onForgot}>
            {t("backoffice.signIn.forgot")}
          </button>
        </div>
        <StaffErrorAlert error={login.error} />
      </div>
    </form>
  );
}

function CodeStep({ challenge, onSignedIn, onRestart }: { challenge: Challenge; onSignedIn(s: SignedIn): void; onRestart(expired: boolean): void }) {
  const { t } = useI18n();
  const ids = useId();
  const setup = challenge.totpSetup;
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [attempted, setAttempted] = useState(false);
  const verify = useMutation({
    mutationFn: () => staffApi.totp(challenge.challenge, useRecovery ? { recoveryCode: code.trim() } : { code: totpCode(code) ?? "" }),
    onSuccess: onSignedIn,
    onError: (error) => {
      if (error instanceof ApiError && error.code === "STAFF_CHALLENGE_INVALID") onRestart(true);
    },
  });
  const problem = useRecovery
    ? code.trim() === "" || code.trim().length > 32
      ? t("backoffice.signIn.recoveryRequired")
      : null
    : totpCode(code) === null
      ? t("backoffice.signIn.codeFormat")
      : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem) verify.mutate();
  }

  return (
    <form className="panel staff-card" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("backoffice.signIn.codeTitle")}
      </h2>
      <div className="staff-card__body">
        {setup ? <TotpSetupView setup={setup} /> : null}
        <Field
          key={useRecovery ? "recovery" : "code"}
          label={useRecovery ? t("backoffice.signIn.recoveryCode") : t("backoffice.signIn.code")}
          inputMode={useRecovery ? "text" : "numeric"}
          autoComplete="one-time-code"
          value={code}
          onChange={(event) => setCode(event.target.value)}
          error={attempted ? problem : null}
          autoFocus
        />
        <div className="staff-card__actions">
          <button type="submit" className="button button--primary" disabled={verify.isPending}>
            {t("backoffice.signIn.verify")}
          </button>
          {setup ? null : (
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setCode("");
                setAttempted(false);
              }}
            >
              {useRecovery ? t("backoffice.signIn.useCode") : t("backoffice.signIn.useRecovery")}
            </button>
          )}
          <button type="button" className="button button--ghost" onClick={() => onRestart(false)}>
            {t("backoffice.signIn.restart")}
          </button>
        </div>
        <StaffErrorAlert error={verify.error} />
      </div>
    </form>
  );
}

/** The provisioning QR code (an image, never inlined markup) and the secret for typing in. */
export function TotpSetupView({ setup }: { setup: TotpSetup }) {
  const { t } = useI18n();
  return (
    <div className="totp-setup">
      <h3>{t("backoffice.totp.title")}</h3>
      <p>{t("backoffice.totp.scan")}</p>
      <img className="totp-setup__qr" src={svgDataUrl(setup.qrSvg)} alt={t("backoffice.totp.qrAlt")} width={200} height={200} />
      <p>
        {t("backoffice.totp.secret")} <code className="totp-setup__secret">{groupSecret(setup.secret)}</code>
      </p>
    </div>
  );
}

function RecoveryCodes({ signedIn, onDone }: { signedIn: SignedIn; onDone(): void }) {
  const { t } = useI18n();
  const ids = useId();
  return (
    <section className="panel staff-card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("backoffice.recovery.title")}
      </h2>
      <div className="staff-card__body">
        <p>{t("backoffice.recovery.text")}</p>
        <ul className="recovery-codes" aria-label={t("backoffice.recovery.list")}>
          {(signedIn.recoveryCodes ?? []).map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <div className="staff-card__actions">
          <button type="button" className="button button--primary" onClick={onDone}>
            {t("backoffice.recovery.done")}
          </button>
        </div>
      </div>
    </section>
  );
}

function ForgotPassword({ onBack }: { onBack(): void }) {
  const { t } = useI18n();
  const ids = useId();
  const [email, setEmail] = useState("");
  const reset = useMutation({ mutationFn: () => staffApi.requestPasswordReset(email.trim()) });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (email.trim()) reset.mutate();
  }

  return (
    <form className="panel staff-card" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("backoffice.forgot.title")}
      </h2>
      <div className="staff-card__body">
        {reset.isSuccess ? (
          <p role="status">{t("backoffice.forgot.sent")}</p>
        ) : (
          <Field label={t("backoffice.signIn.email")} type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} />
        )}
        <div className="staff-card__actions">
          {reset.isSuccess ? null : (
            <button type="submit" className="button button--primary" disabled={reset.isPending || !email.trim()}>
              {t("backoffice.forgot.submit")}
            </button>
          )}
          <button type="button" className="button button--ghost" onClick={onBack}>
            {t("backoffice.forgot.back")}
          </button>
        </div>
        <StaffErrorAlert error={reset.error} />
      </div>
    </form>
  );
}
