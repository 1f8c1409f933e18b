/** Shown while the wallet is on another chain: nothing can be signed there, one click moves it. */
import { useState } from "react";
import { useI18n } from "../../i18n";
import { errorText } from "../../lib/errors";
import { useWallet } from "./wallet-context";

export function WrongChainBanner() {
  const { wrongChain, chainId, network, switchNetwork } = useWallet();
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!wrongChain || !network) return null;

  async function onSwitch() {
    setBusy(true);
    setError(null);
    try {
      await switchNetwork();
    } catch (cause) {
      setError(cause); // kept as the error, so it is worded in the language shown
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="banner banner--warning" role="alert">
      <span>{t("wallet.wrongChain", { current: chainId ?? "?", expected: network.chainName, chainId: network.chainId })}</span>
      <button type="button" className="button button--small" onClick={() => void onSwitch()} disabled={busy}>
        {t("wallet.switchNetwork")}
      </button>
      {error !== null ? <span className="banner__error">{errorText(error, t)}</span> : null}
    </div>
  );
}
