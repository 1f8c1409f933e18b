/**
 * Funds: deposit into and withdraw from the exchange, each followed to its end (deposit: pending ->
 * mined -> credited; withdrawal: accepted -> relayed -> completed), then the escape hatch and, on the
 * development chain, the faucet.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import type { Address, Hex } from "viem";
import { Field } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import type { Market, TokenInfo } from "../../lib/api-types";
import { formatUnits, parseUnits } from "../../lib/format";
import { useCurrentEip712, useEip712 } from "../../lib/signing";
import { availableOf, marketTokens, useAccountFees, useExchangeBalances, useWalletBalances } from "../balances";
import { EXIT_ANCHOR, ExitPanel } from "../exit";
import { FaucetPanel } from "../faucet";
import { tradingErrorText } from "../order-form";
import { TransactionReverted, useWallet } from "../wallet";
import { deposit, withdraw, type DepositStage, type WithdrawalStage } from "./transfers";
import { TransferList, type Transfer } from "./transfer-list";
import type { Direction } from "./transfer-steps";
import { EMPTY_TRAVEL_RULE, travelRuleBody, travelRuleProblems, type TravelRuleDraft } from "./travel-rule";
import { useWithdrawalQuote } from "./withdrawal-quote";
import { TravelRuleFields } from "./travel-rule-fields";
import { WithdrawalReview, type ReviewedWithdrawal } from "./withdrawal-review";
import "./funds.css";


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
  const typed = token ? parseUnits(quantity, token.decimals) : null;
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
  const loading = wallet.status === "connected" && (!eip712.data || !token || !wallet.walletClient || !wallet.publicClient);

  /** What is wrong with the quantity for `direction`, or null. */
  function problem(direction: Direction): string | null {
    if (!token) return null;
    if (quantity.trim() === "") return t("funds.error.required");
    const parsed = parseUnits(quantity, token.decimals);
    if (!parsed.ok) {
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
    const { address } = wallet;
    if (!ready || !token || !address || !eip712.data || problem(direction)) return;
    // The fee cap is signed from the wallet's rate: unknown, it would be signed as 0 and refused (MAX_FEE_TOO_LOW).
    const feeRate = direction === "withdrawal" ? fees.data?.withdrawalFeeRate : 0;
    if (feeRate === undefined) return;
    const parsed = parseUnits(quantity, token.decimals);
    if (!parsed.ok) return;
    if (direction === "withdrawal") {
      // The minimum and the travel rule are the server's to say: this very amount's quote first (a click can come
      // before it does), then the field or the details form says what is missing.
      const current = withdrawalQuote.isPlaceholderData || !withdrawalQuote.data ? (await withdrawalQuote.refetch()).data : withdrawalQuote.data;
      if (current?.belowMinimum) return; // unread (the server away), the server decides on the signed request
      const identified = current?.travelRuleRequired === true;
      if (identified && Object.keys(travelRuleProblems(travelRule)).length > 0) return;
      // Reviewed first: the wallet shows the signed fee cap and amounts as raw integers.
      setReview({ token, amount: parsed.value, feeRate, travelRule: identified ? travelRuleBody(travelRule, address) : undefined });
      return;
    }
    await run("deposit", token, parsed.value, async () => {
      const { walletClient, publicClient } = wallet;
      if (!walletClient || !publicClient || !eip712.data) throw new Error(t("order.walletNotReady"));
      const exchange = (await currentEip712()).domain.verifyingContract;
      return (id: number) =>
        deposit({ address, walletClient, publicClient }, exchange, token.address as Address, parsed.value, (stage: DepositStage, txHash: Hex | null) => {
          update(id, { stage, txHash });
          refreshBalances();
        });
    });
  }

  async function confirmWithdrawal(reviewed: ReviewedWithdrawal) {
    setReview(null);
    await run("withdrawal", reviewed.token, reviewed.amount, async () => {
      const { address, walletClient } = wallet;
      if (!address || !walletClient || !eip712.data) throw new Error(t("order.walletNotReady"));
      const domain = await currentEip712();
      return (id: number) =>
        withdraw({ address, walletClient }, domain, reviewed.token.address as Address, reviewed.amount, reviewed.feeRate, (view) => {
          const stage: WithdrawalStage = view.status;
          update(id, { stage, txHash: view.txHash, error: view.failure });
          refreshBalances();
        }, reviewed.travelRule);
    });
  }

  /** Follow one transfer in "Your transfers": `prepare` gives the steps to run (or throws why it cannot start). */
  async function run(direction: Direction, of: TokenInfo, amount: bigint, prepare: () => Promise<(id: number) => Promise<void>>) {
    const id = Date.now();
    setTransfers((list) => [{ id, direction, token: of, amount, stage: "wallet", txHash: null, error: null }, ...list.slice(0, 4)]);
    setQuantity("");
    setAttempted(null);
    try {
      await (await prepare())(id);
    } catch (error) {
      const text = error instanceof TransactionReverted ? t("funds.reverted") : tradingErrorText(error, t);
      update(id, { stage: "failed", error: text });
    }
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
          <button type="submit" className="button button--primary" disabled={wallet.wrongChain || loading}>
            {t("funds.deposit")}
          </button>
          <button type="button" className="button" onClick={() => void start("withdrawal")} disabled={wallet.wrongChain || loading || (ready && !fees.data)}>
            {t("funds.withdraw")}
          </button>
        </div>
        {wallet.wrongChain ? (
          <p className="form-error" role="alert">
            {t("funds.wrongChain")}
          </p>
        ) : null}
      </form>
      {review && wallet.address ? (
        <WithdrawalReview review={review} recipient={wallet.address} onConfirm={() => void confirmWithdrawal(review)} onClose={() => setReview(null)} />
      ) : null}
      <TransferList transfers={transfers} explorerUrl={wallet.network?.explorerUrl ?? null} />
      <ExitPanel markets={markets} />
      <FaucetPanel />
    </section>
  );
}
