/**
 * On the development chain only: "Get test tokens" (`POST /v1/dev/faucet`: test ETH for gas and the
 * demo tokens, sent to the connected wallet), and how to add the development chain to a wallet, since
 * a real wallet pointed at it starts empty and does not know the chain.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { useI18n } from "../../i18n";
import { api } from "../../lib/api-client";
import { errorText } from "../../lib/errors";
import { useWallet } from "../wallet";
import "./faucet.css";

const DEV_CHAIN_ID = 31337;

export function FaucetPanel() {
  const { t } = useI18n();
  const { address, network, status, openConnectDialog } = useWallet();
  const queryClient = useQueryClient();
  const titleId = useId();
  const faucet = useMutation({
    mutationFn: (to: string) => api.post<{ txHashes: string[] }>("/v1/dev/faucet", { address: to }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["wallet-balances"] }),
  });
  if (!network || !(network.development || network.chainId === DEV_CHAIN_ID)) return null;

  return (
    <section className="funds__section faucet" aria-labelledby={titleId}>
      <h3 id={titleId}>{t("faucet.title")}</h3>
      <p className="muted">{t("faucet.explain")}</p>
      <button
        type="button"
        className="button"
        disabled={faucet.isPending}
        onClick={() => (address ? faucet.mutate(address) : openConnectDialog())}
      >
        {faucet.isPending ? t("faucet.sending") : t("faucet.get")}
      </button>
      {status !== "connected" ? <p className="muted">{t("faucet.connectFirst")}</p> : null}
      <div aria-live="polite">
        {faucet.isSuccess ? <p>{t("faucet.sent", { count: faucet.data.txHashes.length })}</p> : null}
      </div>
      {faucet.error ? (
        <p className="form-error" role="alert">
          {errorText(faucet.error, t)}
        </p>
      ) : null}
      <details className="faucet__guide">
        <summary>{t("faucet.guideTitle")}</summary>
        <ol>
          <li>{t("faucet.guideOpen")}</li>
          <li>
            <dl className="faucet__chain">
              <div>
                <dt>{t("faucet.networkName")}</dt>
                <dd>{network.chainName}</dd>
              </div>
              <div>
                <dt>{t("faucet.rpcUrl")}</dt>
                <dd>
                  <code>{network.rpcUrl ?? "http://127.0.0.1:8545"}</code>
                </dd>
              </div>
              <div>
                <dt>{t("faucet.chainId")}</dt>
                <dd>
                  <code>{network.chainId}</code>
                </dd>
              </div>
              <div>
                <dt>{t("faucet.currency")}</dt>
                <dd>
                  <code>{network.nativeCurrency.symbol}</code>
                </dd>
              </div>
            </dl>
          </li>
          <li>{t("faucet.guideSwitch")}</li>
          <li>{t("faucet.guideKeys")}</li>
        </ol>
      </details>
    </section>
  );
}
