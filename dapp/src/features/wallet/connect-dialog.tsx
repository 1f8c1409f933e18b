/** The list of wallets found in the browser; choosing one asks it for an account. */
import { useState } from "react";
import { Dialog } from "../../components/ui";
import { useI18n } from "../../i18n";
import { errorText } from "../../lib/errors";
import { useWallet } from "./wallet-context";

export function ConnectDialog() {
  const { wallets, connect, connectDialogOpen, closeConnectDialog, status } = useWallet();
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState<string | null>(null);

  async function choose(walletId: string) {
    setError(null);
    setPending(walletId);
    try {
      await connect(walletId);
    } catch (cause) {
      setError(cause); // kept as the error, so it is worded in the language shown
    } finally {
      setPending(null);
    }
  }

  return (
    <Dialog
      open={connectDialogOpen}
      title={t("wallet.connectTitle")}
      onClose={() => {
        setError(null);
        closeConnectDialog();
      }}
    >
      {wallets.length === 0 ? (
        <p className="muted">{t("wallet.noWallet")}</p>
      ) : (
        <ul className="wallet-list" aria-label={t("wallet.available")}>
          {wallets.map((wallet) => (
            <li key={wallet.id}>
              <button
                type="button"
                className="wallet-list__item"
                onClick={() => void choose(wallet.id)}
                disabled={status === "connecting"}
                aria-busy={pending === wallet.id}
              >
                {wallet.icon ? <img src={wallet.icon} alt="" width={28} height={28} /> : <span className="wallet-list__icon" aria-hidden="true" />}
                <span>{wallet.name ?? t("wallet.browserWallet")}</span>
                {pending === wallet.id ? <span className="muted">{t("wallet.confirmInWallet")}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== null ? (
        <p className="form-error" role="alert">
          {errorText(error, t)}
        </p>
      ) : null}
    </Dialog>
  );
}
