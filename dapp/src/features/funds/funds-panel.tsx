/**
 * Funds: deposit into and withdraw from the exchange, each followed to its end (deposit: pending ->
 * mined -> credited; withdrawal: accepted -> relayed -> completed), then the escape hatch and, on the
 * development chain, the faucet. A withdrawal request left without a clear answer is kept, per wallet, and sent
 * again as signed before that wallet may sign another (./withdrawal-in-doubt).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import type { Address, Hex } from "viem";
import { Field, StatusMessage } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { Market, TokenInfo } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { formatUnits, parseUnits } from "../../lib/format";
import { useCurrentEip712, useEip712 } from "../../lib/signing";
import { availableOf, marketTokens, useAccountFees, useExchangeBalances, useWalletBalances } from "../balances";
import { EXIT_ANCHOR, ExitPanel } from "../exit";
import { FaucetPanel } from "../faucet";
import { useResending } from "../order-form";
import { sameAddress, useWallet } from "../wallet";
import { deposit, withdraw, type DepositStage } from "./transfers";
import { TransferList, type Transfer } from "./transfer-list";
import { stoppedTransfer } from "./transfer-outcome";
import type { Direction } from "./transfer-steps";
import { EMPTY_TRAVEL_RULE, travelRuleBody, travelRuleProblems, type TravelRuleDraft } from "./travel-rule";
import { useWithdrawalQuote } from "./withdrawal-quote";
import { TravelRuleFields } from "./travel-rule-fields";
import { withdrawalFailureKey, type WithdrawalView } from "./withdrawal";
import { WithdrawalInDoubt } from "./withdrawal-in-doubt";
import { reviewWithdrawal, WithdrawalReview, type ReviewedWithdrawal } from "./withdrawal-review";
import "./funds.css";

/** A withdrawal sent from this page: its review (with its submission) and its line in "Your transfers". */
interface SentWithdrawal {
  reviewed: ReviewedWithdrawal;
  transferId: number;
  /** Its request is on its way (signing, sending, resending): not in doubt while it is. */
  sending: boolean;
}


export function FundsPanel({ markets }: { markets: readonly Market[] }) {
  const { t, locale, formatFeeRate } = useI18n();
  const wallet = useWallet();
  const queryClient = useQueryClient();
  const eip712 = useEip712();
  const currentEip712 = useCurrentEip712();
  const ids = useId();
  const tokens = marketTokens(markets);
  const [tokenAddress, setTokenAddress] = useState<string>("");
  const token: TokenInfo | undefined = tokens.find((item) => item.address === tokenAddress) ?? tokens[0];
  const [quantity, setQuantity] = useState("");
  const [attempted, setAttempted] = useState<Direction | null>(null);
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const walletBalances = useWalletBalances(tokens);
  const exchangeBalances = useExchangeBalances(wallet.address);
  const fees = useAccountFees(wallet.address);
  const [travelRule, setTravelRule] = useState<TravelRuleDraft>(EMPTY_TRAVEL_RULE);
  const [review, setReview] = useState<ReviewedWithdrawal | null>(null);
  /** The last withdrawal sent by each wallet (lower-case address): the connected one's may be in doubt. */
  const [sent, setSent] = useState<ReadonlyMap<string, SentWithdrawal>>(new Map());
  const last = wallet.address ? sent.get(wallet.address.toLowerCase()) : undefined;
  const unanswered = useResending(last?.reviewed.submission);
  const inDoubt = last && unanswered && !last.sending ? last : null;
  const typed = token ? parseUnits(quantity, token.decimals, locale) : null;
  const asked = typed?.ok && typed.value > 0n ? typed.value : null; // a valid amount to value, else none
  const withdrawalQuote = useWithdrawalQuote(token?.address ?? null, asked);
  const quote = asked !== null ? withdrawalQuote.data : undefined;
  // Worth the travel-rule threshold or more (the server values it): the withdrawal carries the person's details.
  const travelRuleNeeded = quote?.travelRuleRequired === true;
  const inReference = (units: string) => (quote ? `${formatUnits(BigInt(units), quote.reference.decimals, { locale })} ${quote.reference.symbol}` : "");
  // Told as soon as this very amount is valued (an earlier amount's quote stays on screen meanwhile, and may differ);
  // a hint until a withdrawal is tried, as the amount may be meant for a deposit.
  const belowMinimum =
    quote?.belowMinimum === true && !withdrawalQuote.isPlaceholderData ? t("funds.belowMinimum", { minimum: inReference(quote.minimum) }) : null;

  const inWallet = token ? (walletBalances.data?.get(token.address.toLowerCase()) ?? null) : null;
  const available = token && wallet.address ? availableOf(exchangeBalances.data, token.address) : null;
  const ready = wallet.status === "connected" && !wallet.wrongChain;
  // Connected, but the exchange's terms (EIP-712 domain), the network or the markets are still on their
  // way: the buttons wait rather than take a click that could not start a transfer.
  const loading = wallet.status === "connected" && (eip712.isPending || !token || !wallet.walletClient || !wallet.publicClient);
  // Without the terms nothing can be signed or deposited to: the panel says so and offers to read them again.
  const termsFailed = wallet.status === "connected" && eip712.isError && !eip712.data;

  // A review shows and signs for the account it was opened for: another account closes it.
  useEffect(() => {
    if (review && !sameAddress(review.wallet, wallet.address)) setReview(null);
  }, [review, wallet.address]);

  /** What is wrong with the quantity for `direction`, or null. */
  function problem(direction: Direction): string | null {
    if (!token) return null;
    if (quantity.trim() === "") return t("funds.error.required");
    const parsed = parseUnits(quantity, token.decimals, locale);
    if (!parsed.ok) {
      if (parsed.reason === "grouping") return t("common.error.misplacedGrouping");
      return parsed.reason === "precision" ? t("funds.error.tooPrecise", { decimals: token.decimals }) : t("funds.error.notANumber");
    }
    if (parsed.value <= 0n) return t("funds.error.notPositive");
    const limit = direction === "deposit" ? inWallet : available;
    if (limit !== null && parsed.value > limit) {
      const key: MessageKey = direction === "deposit" ? "funds.error.aboveWallet" : "funds.error.aboveAvailable";
      return t(key, { available: `${formatUnits(limit, token.decimals, { locale })} ${token.symbol}` });
    }
    return direction === "withdrawal" ? belowMinimum : null;
  }

  function update(id: number, change: Partial<Transfer>) {
    setTransfers((list) => list.map((item) => (item.id === id ? { ...item, ...change } : item)));
  }

  function refreshBalances() {
    void queryClient.invalidateQueries({ queryKey: ["wallet-balances"] });
    void queryClient.invalidateQueries({ queryKey: ["account", wallet.address] });
  }

  async function start(direction: Direction, event?: FormEvent) {
    event?.preventDefault();
    setAttempted(direction);
    if (wallet.status !== "connected") {
      wallet.openConnectDialog();
      return;
    }
    if (direction === "withdrawal" && inDoubt) {
      setReview(inDoubt.reviewed); // it may stand: it is sent again as signed, never signed anew
      return;
    }
    const { address } = wallet;
    if (!ready || !token || !address || !eip712.data || problem(direction)) return;
    // The fee cap is signed from the wallet's rate: unknown, it would be signed as 0 and refused (MAX_FEE_TOO_LOW).
    const feeRate = direction === "withdrawal" ? fees.data?.withdrawalFeeRate : 0;
    if (feeRate === undefined) return;
    const parsed = parseUnits(quantity, token.decimals, locale);
    if (!parsed.ok) return;
    if (direction === "withdrawal") {
      // The minimum and the travel rule are the server's to say: this very amount's quote first (a click can come
      // before it does), then the field or the details form says what is missing.
      const current = withdrawalQuote.isPlaceholderData || !withdrawalQuote.data ? (await withdrawalQuote.refetch()).data : withdrawalQuote.data;
      if (current?.belowMinimum) return; // unread (the server away), the server decides on the signed request
      const identified = current?.travelRuleRequired === true;
      if (identified && Object.keys(travelRuleProblems(travelRule)).length > 0) return;
      // Reviewed first: the wallet shows the signed fee cap and amounts as raw integers.
      const terms = { wallet: address, token, amount: parsed.value, feeRate };
      setReview(reviewWithdrawal(identified ? { ...terms, travelRule: travelRuleBody(travelRule, address) } : terms));
      return;
    }
    const id = newTransfer("deposit", token, parsed.value);
    try {
      const { walletClient, publicClient } = wallet;
      if (!walletClient || !publicClient) throw new Error(t("order.walletNotReady"));
      const exchange = (await currentEip712()).domain.verifyingContract;
      const onStage = (stage: DepositStage, txHash: Hex | null) => {
        update(id, { stage, txHash });
        refreshBalances();
      };
      await deposit({ address, walletClient, publicClient }, exchange, token.address as Address, parsed.value, onStage, statusReadable(id));
    } catch (error) {
      update(id, stoppedTransfer(error, false, t));
    }
  }

  /** Sign and send the reviewed withdrawal, or send the one in doubt again as it was signed. */
  async function confirmWithdrawal(reviewed: ReviewedWithdrawal) {
    setReview(null);
    const key = reviewed.wallet.toLowerCase();
    const earlier = sent.get(key);
    let id: number;
    if (earlier?.reviewed === reviewed) {
      id = earlier.transferId;
      showTransfer({ id, direction: "withdrawal", token: reviewed.token, amount: reviewed.amount, stage: "sending", txHash: null, error: null, note: null });
    } else {
      id = newTransfer("withdrawal", reviewed.token, reviewed.amount);
    }
    setSent((map) => new Map(map).set(key, { reviewed, transferId: id, sending: true }));
    // Answered or not, the request is no longer on its way (unless a later withdrawal of the wallet replaced it).
    const settled = () =>
      setSent((map) => (map.get(key)?.reviewed === reviewed ? new Map(map).set(key, { reviewed, transferId: id, sending: false }) : map));
    try {
      const { address, walletClient } = wallet;
      if (!walletClient || !sameAddress(address, reviewed.wallet)) throw new Error(t("funds.accountChanged"));
      const onStatus = (view: WithdrawalView) => {
        settled();
        update(id, { stage: view.status, txHash: view.txHash, error: view.failure === null ? null : t(withdrawalFailureKey(view.failure)) });
        refreshBalances();
      };
      await withdraw(walletClient, currentEip712, reviewed, onStatus, statusReadable(id));
    } catch (error) {
      settled();
      update(id, stoppedTransfer(error, reviewed.submission.resending, t));
    }
  }

  /** `line` first in "Your transfers" (the latest five), in place of its earlier state. */
  function showTransfer(line: Transfer) {
    setTransfers((list) => [line, ...list.filter((item) => item.id !== line.id).slice(0, 4)]);
  }

  /** A new transfer in "Your transfers", waiting for the wallet; the form starts over. */
  function newTransfer(direction: Direction, of: TokenInfo, amount: bigint): number {
    const id = Date.now();
    showTransfer({ id, direction, token: of, amount, stage: "wallet", txHash: null, error: null, note: null });
    setQuantity("");
    setAttempted(null);
    return id;
  }

  /** Tells on transfer `id` whether its status can be read just now (when not, it is polled again, not failed). */
  function statusReadable(id: number) {
    return (readable: boolean) => update(id, { note: readable ? null : t("funds.statusUnread") });
  }

  const fieldError = attempted ? problem(attempted) : null;
  const amountText = (value: bigint | null) =>
    token && value !== null ? `${formatUnits(value, token.decimals, { locale })} ${token.symbol}` : t("common.none");
  const threshold = quote ? inReference(quote.travelRuleThreshold) : "";
  const fillWith = (value: bigint | null) => {
    if (token && value !== null) setQuantity(formatUnits(value, token.decimals, { locale: "en-US" }).replace(/,/g, ""));
  };

  return (
    <section className="panel funds" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("funds.title")}
      </h2>
      <a className="funds__exit-link" href={`#${EXIT_ANCHOR}`}>
        {t("exit.link")}
      </a>
      <form className="funds__body" onSubmit={(event) => void start("deposit", event)} noValidate>
        <div className="funds__token">
          <label htmlFor={`${ids}-token`} className="muted">
            {t("funds.token")}
          </label>
          <select id={`${ids}-token`} value={token?.address ?? ""} onChange={(event) => setTokenAddress(event.target.value)}>
            {tokens.map((item) => (
              <option key={item.address} value={item.address}>
                {item.symbol}
              </option>
            ))}
          </select>
        </div>
        <Field
          label={t("funds.quantity")}
          inputMode="decimal"
          autoComplete="off"
          value={quantity}
          onChange={(event) => setQuantity(event.target.value)}
          suffix={token?.symbol}
          error={fieldError}
          hint={fieldError ? undefined : (belowMinimum ?? undefined)}
        />
        {travelRuleNeeded ? (
          <TravelRuleFields
            draft={travelRule}
            onChange={setTravelRule}
            threshold={threshold}
            problems={attempted === "withdrawal" ? travelRuleProblems(travelRule) : {}}
          />
        ) : null}
        <dl className="funds__balances">
          <div>
            <dt>{t("funds.inWallet")}</dt>
            <dd>
              <button type="button" className="funds__use" onClick={() => fillWith(inWallet)} disabled={inWallet === null} aria-label={`${amountText(inWallet)} (${t("funds.useWallet")})`}>
                {amountText(inWallet)}
              </button>
            </dd>
          </div>
          <div>
            <dt>{t("funds.onExchange")}</dt>
            <dd>
              <button type="button" className="funds__use" onClick={() => fillWith(available)} disabled={available === null} aria-label={`${amountText(available)} (${t("funds.useAvailable")})`}>
                {amountText(available)}
              </button>
            </dd>
          </div>
        </dl>
        {fees.data && fees.data.withdrawalFeeRate > 0 ? (
          <p className="muted funds__note">
            {t("funds.withdrawalFee", { rate: formatFeeRate(fees.data.withdrawalFeeRate) })}
          </p>
        ) : null}
        <div className="funds__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={wallet.wrongChain || loading || termsFailed}
            aria-describedby={termsFailed ? `${ids}-terms` : undefined}
          >
            {t("funds.deposit")}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => void start("withdrawal")}
            disabled={wallet.wrongChain || loading || termsFailed || (ready && !fees.data)}
            aria-describedby={termsFailed ? `${ids}-terms` : undefined}
          >
            {t("funds.withdraw")}
          </button>
        </div>
        {termsFailed ? (
          <div id={`${ids}-terms`}>
            <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void eip712.refetch() }}>
              {`${t("funds.termsUnavailable")} ${errorText(eip712.error, t)}`}
            </StatusMessage>
          </div>
        ) : null}
        {inDoubt && !review ? <WithdrawalInDoubt reviewed={inDoubt.reviewed} onSendAgain={() => void confirmWithdrawal(inDoubt.reviewed)} /> : null}
        {wallet.wrongChain ? (
          <p className="form-error" role="alert">
            {t("funds.wrongChain")}
          </p>
        ) : null}
      </form>
      {review && sameAddress(review.wallet, wallet.address) ? (
        <WithdrawalReview review={review} onConfirm={() => void confirmWithdrawal(review)} onClose={() => setReview(null)} />
      ) : null}
      <TransferList transfers={transfers} explorerUrl={wallet.network?.explorerUrl ?? null} />
      <ExitPanel markets={markets} />
      <FaucetPanel />
    </section>
  );
}
