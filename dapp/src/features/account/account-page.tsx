/**
 * The account page (`/account`) of the signed-in wallet: profile, limits with the way to the next level,
 * identity verification, and the user's data. Loaded on demand: traders who never open it never download it.
 */
import "./messages"; // before anything renders a message of this chunk
import { StatusMessage } from "../../components/ui";
import { loadError } from "../../lib/query-client";
import { useI18n } from "../../i18n";
import { useAuth } from "../auth";
import { useWallet } from "../wallet";
import { useDeletionReceipt, useKyc, useLimits, useProfile } from "./account-api";
import { EmailVerification } from "./email-verification";
import { accountErrorText } from "./error-text";
import { goToForm, stepState } from "./kyc-steps";
import { KycSection } from "./kyc-section";
import { LimitsPanel, LimitsUnavailable } from "./limits-panel";
import { ProfileForm } from "./profile-form";
import { DeletionReceipt, YourData } from "./your-data";
import "./account.css";

export default function AccountPage() {
  const { t } = useI18n();
  const wallet = useWallet();
  const auth = useAuth();
  const address = auth.status === "signed-in" && auth.session ? auth.session.address : null;
  const profile = useProfile(address);
  const kyc = useKyc(address);
  const limits = useLimits(address);
  // Kept here, not in "Your data": the deletion request signs the wallet out, and that section goes with the session.
  const deletionReceipt = useDeletionReceipt(wallet.address);

  let body;
  if (!address) {
    const key = wallet.status !== "connected" ? "accountPage.connectFirst" : auth.status === "loading" ? "common.loading" : "accountPage.signInFirst";
    body = <StatusMessage kind={auth.status === "loading" ? "loading" : "empty"}>{t(key)}</StatusMessage>;
  } else {
    const failed = loadError(profile) ?? loadError(kyc);
    if (failed)
      body = (
        <StatusMessage
          kind="error"
          action={{
            label: t("common.retry"),
            onClick: () => {
              void profile.refetch();
              void kyc.refetch();
            },
          }}
        >
          {accountErrorText(failed, t)}
        </StatusMessage>
      );
    else if (!profile.data || !kyc.data) body = <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
    else {
      const next = limits.data?.nextLevel?.level;
      const nextStep = next === 1 || next === 2 ? stepState(next, kyc.data, profile.data) : null;
      body = (
        <div className="account-page__grid">
          <ProfileForm key={address} profile={profile.data} address={address} />
          {limits.data ? (
            <LimitsPanel limits={limits.data} nextStep={nextStep} onGoToLevel={goToForm} />
          ) : (
            <LimitsUnavailable error={limits.error} onRetry={() => void limits.refetch()} />
          )}
          <KycSection address={address} kyc={kyc.data} profile={profile.data} />
          <YourData address={address} />
        </div>
      );
    }
  }

  return (
    <div className="account-page">
      <h2 className="account-page__title">{t("accountPage.title")}</h2>
      <EmailVerification address={address} />
      {deletionReceipt ? <DeletionReceipt receipt={deletionReceipt} /> : null}
      {body}
    </div>
  );
}
