/**
 * "Your data": everything the exchange holds about the wallet as a JSON file, and a request to delete
 * it (KYC records stay for the retention period anti-money-laundering law requires; the answer says until when).
 * The request signs the wallet out everywhere, so its receipt is shown by the account page, which stays.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Dialog, downloadBlob } from "../../components/ui";
import { useI18n } from "../../i18n";
import { accountApi, forgettingEndedSession, useRequestDeletion, type DeletionRequested } from "./account-api";
import { accountErrorText } from "./error-text";

export function YourData({ address }: { address: string }) {
  const { t } = useI18n();
  const ids = useId();
  const [confirming, setConfirming] = useState(false);
  const exportData = forgettingEndedSession(useQueryClient(), accountApi.exportData);
  const exported = useMutation({
    mutationFn: exportData,
    onSuccess: (file) => {
      // Saved as JSON whatever the header says, so the browser never renders it as a page.
      downloadBlob(file.fileName ?? `hdex-account-${address}.json`, new Blob([file.blob], { type: "application/json" }));
    },
  });
  const deletion = useRequestDeletion(address);

  return (
    <section className="panel account-section" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("privacy.title")}
      </h3>
      <div className="account-section__body">
        <p className="muted">{t("privacy.exportText")}</p>
        <div className="account-form__actions">
          <button type="button" className="button" onClick={() => exported.mutate()} disabled={exported.isPending}>
            {exported.isPending ? t("common.loading") : t("privacy.export")}
          </button>
        </div>
        {exported.error ? (
          <p className="form-error" role="alert">
            {accountErrorText(exported.error, t)}
          </p>
        ) : null}
        <p className="muted">{t("privacy.deletionText")}</p>
        <div className="account-form__actions">
          <button type="button" className="button button--sell" onClick={() => setConfirming(true)}>
            {t("privacy.requestDeletion")}
          </button>
        </div>
      </div>
      <Dialog
        open={confirming}
        title={t("privacy.confirmTitle")}
        onClose={() => setConfirming(false)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
            <button type="button" className="button button--sell" onClick={() => deletion.mutate(undefined, { onSuccess: () => setConfirming(false) })} disabled={deletion.isPending}>
              {t("privacy.confirm")}
            </button>
          </>
        }
      >
        <p>{t("privacy.confirmText")}</p>
        {deletion.error ? (
          <p className="form-error" role="alert">
            {accountErrorText(deletion.error, t)}
          </p>
        ) : null}
      </Dialog>
    </section>
  );
}

/** What a deletion request did and what is kept until when (shown while the wallet is signed out). */
export function DeletionReceipt({ receipt }: { receipt: DeletionRequested }) {
  const { t, formatDate, formatDateTime } = useI18n();
  return (
    <div className="panel account-section">
      <p className="account-section__body" role="status">
        {t("privacy.deletionRequested", { at: formatDateTime(receipt.requestedAt) })} {t("privacy.erasedAndSignedOut")}
        {receipt.kycRetainedUntil !== null ? <> {t("privacy.kycRetained", { until: formatDate(receipt.kycRetainedUntil) })}</> : null}
        {receipt.travelRuleRetainedUntil !== null ? (
          <> {t("privacy.travelRuleRetained", { until: formatDate(receipt.travelRuleRetainedUntil) })}</>
        ) : null}
      </p>
    </div>
  );
}
