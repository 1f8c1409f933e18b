/**
 * "Profile": the e-mail address (verified by a link the server mails; resent on request), the country
 * of residence, and which e-mails the user wants. Only what changed is sent, so saving the
 * notifications does not mail a new link. Every save also sets the language of the account's e-mails to the page's
 * (useUpdateProfile), so a page whose language differs from the profile's has something to save.
 */
import { useId, useMemo, useState, type FormEvent } from "react";
import { Field, SelectField, useToast } from "../../components/ui";
import { catalogues, useI18n, type MessageKey } from "../../i18n";
import { countryName, countryOptions } from "../../lib/countries";
import { accountErrorText } from "./error-text";
import { NOTIFICATION_KINDS, profileLanguage, useUpdateProfile, type NotificationKind, type Profile, type ProfileChange } from "./account-api";
import { emailProblem } from "./validation";

const NOTIFICATION_NAMES: Record<NotificationKind, MessageKey> = {
  fills: "profile.notify.fills",
  withdrawals: "profile.notify.withdrawals",
  news: "profile.notify.news",
};

/** The fields of `form` that differ from `profile`, as the PUT body. */
export function profileChange(
  profile: Profile,
  form: { email: string; country: string; notifications: Record<NotificationKind, boolean> },
): ProfileChange {
  const change: ProfileChange = {};
  const email = form.email.trim().toLowerCase();
  if (email !== (profile.email ?? "")) change.email = email === "" ? null : email;
  if (form.country !== "" && form.country !== profile.country) change.country = form.country;
  const notifications = NOTIFICATION_KINDS.filter((kind) => form.notifications[kind] !== profile.notifications[kind]);
  if (notifications.length > 0) change.notifications = Object.fromEntries(notifications.map((kind) => [kind, form.notifications[kind]]));
  return change;
}

/** The country the form shows: the one the user chose here, else the profile's. The profile's can change under the
 * form (a level-1 submission declares it when none was), and a select whose value matches no option shows the first. */
export function countryShown(chosen: string, profile: Profile): string {
  return chosen !== "" ? chosen : (profile.country ?? "");
}

/** What the country select says under it: a warning while the chosen, unsaved country is a restricted one (saving it
 * keeps the account at level 0 and ends any raised limits), that the saved one (or the approved identity data's) is
 * restricted, else what it is for. */
export function countryHint(profile: Profile, shown: string): { key: MessageKey; country?: string } {
  if (shown !== (profile.country ?? "") && profile.restrictedCountries.includes(shown)) {
    return { key: "profile.countryRestrictedWarning", country: shown };
  }
  if (profile.countryRestricted && profile.country) return { key: "profile.countryRestricted", country: profile.country };
  // declaring another country does not lift it: say so rather than name the declared one as restricted
  if (profile.identityCountryRestricted) return { key: "profile.identityCountryRestricted" };
  return { key: "profile.countryHint" };
}

export function ProfileForm({ profile, address }: { profile: Profile; address: string }) {
  const { t, locale } = useI18n();
  const ids = useId();
  const toast = useToast();
  const update = useUpdateProfile(address);
  const resend = useUpdateProfile(address);
  const [email, setEmail] = useState(profile.email ?? "");
  const [chosenCountry, setCountry] = useState("");
  const [notifications, setNotifications] = useState(profile.notifications);
  const [attempted, setAttempted] = useState(false);
  const countries = useMemo(() => countryOptions(locale), [locale]);

  const country = countryShown(chosenCountry, profile);
  const hint = countryHint(profile, country);
  const hintText = t(hint.key, { country: hint.country ? countryName(hint.country, locale) : "" });
  const problem = emailProblem(email);
  const change = profileChange(profile, { email, country, notifications });
  const language = profileLanguage(locale);
  const unchanged = Object.keys(change).length === 0 && profile.language === language;

  function save(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (problem || unchanged) return;
    update.mutate(change, {
      onSuccess: (saved) => {
        setAttempted(false);
        toast.show({ kind: "success", title: t("profile.saved") });
        if (change.email && !saved.emailVerified) toast.show({ kind: "info", title: t("profile.linkSent", { email: change.email }) });
      },
    });
  }

  function resendLink() {
    if (!profile.email) return;
    resend.mutate(
      { email: profile.email },
      { onSuccess: () => toast.show({ kind: "info", title: t("profile.linkSent", { email: profile.email ?? "" }) }) },
    );
  }

  const emailStatus = profile.email ? (
    <span className="profile__email-status">
      <span className={profile.emailVerified ? "buy-text" : "sell-text"}>
        {profile.emailVerified ? t("profile.emailVerified") : t("profile.emailUnverified")}
      </span>
      {!profile.emailVerified && email.trim().toLowerCase() === profile.email ? (
        <button type="button" className="button button--small" onClick={resendLink} disabled={resend.isPending}>
          {t("profile.resend")}
        </button>
      ) : null}
    </span>
  ) : (
    t("profile.emailHint")
  );

  return (
    <section className="panel account-section" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("profile.title")}
      </h3>
      <form className="account-section__body account-form" onSubmit={save} noValidate aria-labelledby={`${ids}-title`}>
        <Field
          label={t("profile.email")}
          type="email"
          autoComplete="email"
          maxLength={254}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={attempted ? (problem ? t(problem.key, problem.params) : null) : null}
          hint={emailStatus}
        />
        {resend.error ? (
          <p className="form-error" role="alert">
            {accountErrorText(resend.error, t)}
          </p>
        ) : null}
        <SelectField
          label={t("profile.country")}
          value={country}
          onChange={(event) => setCountry(event.target.value)}
          options={countries}
          placeholder={profile.country ? undefined : t("profile.countryNone")}
          hint={
            hint.key === "profile.countryRestrictedWarning" ? (
              <span className="sell-text" role="status">
                {hintText}
              </span>
            ) : (
              hintText
            )
          }
        />
        <fieldset className="account-form__choices" aria-describedby={`${ids}-mail-language`}>
          <legend>{t("profile.notifications")}</legend>
          {NOTIFICATION_KINDS.map((kind) => (
            <label key={kind} className="checkbox">
              <input
                type="checkbox"
                checked={notifications[kind]}
                onChange={(event) => setNotifications({ ...notifications, [kind]: event.target.checked })}
              />
              {t(NOTIFICATION_NAMES[kind])}
            </label>
          ))}
        </fieldset>
        <p id={`${ids}-mail-language`} className="field__hint">
          {t("profile.mailLanguage", { language: catalogues[profile.language]?.["app.languageName"] ?? profile.language })}
        </p>
        <div className="account-form__actions">
          <button type="submit" className="button button--primary" disabled={update.isPending}>
            {update.isPending ? t("common.saving") : t("profile.save")}
          </button>
          {attempted && unchanged && !problem ? <span className="muted">{t("profile.nothingChanged")}</span> : null}
        </div>
        {update.error ? (
          <p className="form-error" role="alert">
            {accountErrorText(update.error, t)}
          </p>
        ) : null}
      </form>
    </section>
  );
}
