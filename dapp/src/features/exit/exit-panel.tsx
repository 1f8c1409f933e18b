/**
 * The escape hatch, the product's promise in one place: why it exists, "Request exit", a live countdown
 * to the second the contract lets the wallet leave, then one direct withdrawal per token, all sent from
 * the wallet to the Exchange contract without the operator.
 */
import { useEffect, useId, useState } from "react";
import { ConfirmDialog } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { loadError } from "../../lib/query-client";
import { useAccountOpenOrders } from "../orders";
import { useWallet } from "../wallet";
import { durationText, exitStage } from "./countdown";
import { useExitAction, useWalletExit, type ExitState } from "./exit-contract";
import "./exit.css";

/** The section's id on the page: the funds panel links to it, so the way out is one click away. */
export const EXIT_ANCHOR = "escape-hatch";

/** The chain's time now, estimated from the last block read and the wall clock since, ticking each second. */
function useChainNow(state: ExitState | undefined): bigint | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (!state) return null;
  return state.chainTime + BigInt(Math.max(0, Math.floor((now - state.readAtMs) / 1_000)));
}

/** Asked before an exit is requested: the exchange then cancels the wallet's open orders and takes none until the
 * exit is cancelled, which the wallet's own confirmation (a contract call) does not say. `openOrders`: null while
 * unknown. */
export function RequestExitDialog({ open, delay, openOrders, onConfirm, onCancel }: {
  open: boolean;
  delay: string;
  openOrders: number | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <ConfirmDialog
      open={open}
      title={t("exit.confirmTitle")}
      confirm={t("exit.request")}
      cancel={t("exit.keepTrading")}
      danger
      onConfirm={onConfirm}
      onClose={onCancel}
    >
      <p>{openOrders ? t("exit.confirmOrders", { count: openOrders }) : t("exit.confirmNoOrders")}</p>
      <p>{t("exit.confirmDelay", { delay })}</p>
    </ConfirmDialog>
  );
}

export function ExitPanel({ markets }: { markets: readonly Market[] }) {
  const { t, formatUnits } = useI18n();
  const wallet = useWallet();
  const titleId = useId();
  const { exchange, tokens, state } = useWalletExit(markets);
  const action = useExitAction(exchange);
  const [confirming, setConfirming] = useState(false);
  const openOrders = useAccountOpenOrders(confirming ? wallet.address : null);
  const chainNow = useChainNow(state.data);
  const stage = state.data && chainNow !== null ? exitStage(state.data.exitAvailableAt, chainNow) : null;
  const busy = action.isPending || wallet.wrongChain;
  const stateFailed = loadError(state);

  let body;
  if (wallet.status !== "connected") body = <p className="muted">{t("exit.connectFirst")}</p>;
  else if (stateFailed) body = <p className="form-error" role="alert">{errorText(stateFailed, t)}</p>;
  else if (!state.data || !stage) body = <p className="muted">{t("common.loading")}</p>;
  else if (stage.stage === "none")
    body = (
      <>
        <p>{t("exit.delay", { delay: durationText(state.data.exitDelay, t) })}</p>
        <button type="button" className="button" disabled={busy} aria-haspopup="dialog" onClick={() => setConfirming(true)}>
          {t("exit.request")}
        </button>
        <RequestExitDialog
          open={confirming}
          delay={durationText(state.data.exitDelay, t)}
          openOrders={openOrders.data?.length ?? null}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            action.mutate({ kind: "request" });
          }}
        />
      </>
    );
  else if (stage.stage === "waiting")
    body = (
      <>
        <p>
          {t("exit.waiting")}{" "}
          <strong role="timer" className="num" aria-label={t("exit.timeLeft")}>
            {durationText(stage.secondsLeft, t)}
          </strong>
        </p>
        <p className="muted">{t("exit.waitingNote")}</p>
        <button type="button" className="button button--ghost" disabled={busy} onClick={() => action.mutate({ kind: "cancel" })}>
          {t("exit.cancel")}
        </button>
      </>
    );
  else
    body = (
      <>
        <p>{t("exit.available")}</p>
        <ul className="exit__tokens">
          {tokens.map((token) => {
            const amount = state.data?.vault.get(token.address.toLowerCase()) ?? 0n;
            return (
              <li key={token.address}>
                <span className="num">
                  {formatUnits(amount, token.decimals)} {token.symbol}
                </span>
                <button
                  type="button"
                  className="button button--small"
                  disabled={busy || amount === 0n}
                  onClick={() => action.mutate({ kind: "withdraw", token: token.address })}
                >
                  {t("exit.claim", { symbol: token.symbol })}
                </button>
              </li>
            );
          })}
        </ul>
        <button type="button" className="button button--ghost button--small" disabled={busy} onClick={() => action.mutate({ kind: "cancel" })}>
          {t("exit.cancel")}
        </button>
      </>
    );

  return (
    <section id={EXIT_ANCHOR} className="funds__section exit" aria-labelledby={titleId} tabIndex={-1}>
      <h3 id={titleId}>{t("exit.title")}</h3>
      <p className="muted">{t("exit.why")}</p>
      {body}
      {action.isPending ? <p className="muted" role="status">{t("exit.sending")}</p> : null}
      {action.error ? (
        <p className="form-error" role="alert">
          {errorText(action.error, t)}
        </p>
      ) : null}
    </section>
  );
}
