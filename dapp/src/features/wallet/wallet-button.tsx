/** Header control: "Connect wallet", or the connected account with a way to disconnect. */
import { useI18n } from "../../i18n";
import { shortAddress } from "./address";
import { useWallet } from "./wallet-context";

export function WalletButton() {
  const { status, address, wallet, openConnectDialog, disconnect } = useWallet();
  const { t } = useI18n();
  if (status !== "connected" || !address) {
    return (
      <button type="button" className="button button--primary" onClick={openConnectDialog} disabled={status === "connecting"}>
        {t("wallet.connect")}
      </button>
    );
  }
  return (
    <div className="wallet-account">
      <span className="wallet-account__address" title={address}>
        <span className="visually-hidden">{t("wallet.connectedAs", { wallet: wallet?.name ?? t("wallet.browserWallet") })} </span>
        {shortAddress(address)}
      </span>
      <button type="button" className="button button--small button--ghost" onClick={disconnect}>
        {t("wallet.disconnect")}
      </button>
    </div>
  );
}
