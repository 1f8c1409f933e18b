/**
 * Live notices for the connected wallet: fills, order state changes and withdrawal steps from the
 * account channel, and credited deposits (the deposits list, refetched whenever a balance moves).
 * Shown as toasts, which are a live region (lib toasts: polite, errors assertive).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import { api } from "../../lib/api-client";
import { averagePrice, formatBaseAmount, formatPrice } from "../../lib/market";
import { useStream } from "../../lib/use-stream";
import { tokenAt } from "../balances";
import { useMarkets } from "../markets";
import { cachedOpenOrder, reasonText } from "../orders";
import { useWallet } from "../wallet";
import { noticeFor, refreshesDeposits, type Notice } from "./account-notices";
import { FillNotices } from "./fill-notices";

interface DepositRow {
  id: string;
  amount: string;
  symbol: string | null;
  decimals: number | null;
  status: string;
}

const REMEMBERED = 500; // notice keys kept to drop repeats

export function Notifications() {
  const { t, locale, formatUnits } = useI18n();
  const { address, network } = useWallet();
  const toast = useToast();
  const markets = useMarkets();
  const queryClient = useQueryClient();
  const shown = useRef(new Set<string>());

  const depositsKey = ["account", address, "deposits"] as const;
  const deposits = useQuery({
    queryKey: depositsKey,
    enabled: address !== null,
    queryFn: async () => (await api.get<{ deposits: DepositRow[] }>(`/v1/accounts/${address}/deposits`, { query: { limit: 20 } })).deposits,
  });

  function show(notice: Notice) {
    if (shown.current.has(notice.key)) return;
    shown.current.add(notice.key);
    if (shown.current.size > REMEMBERED) shown.current.delete(shown.current.values().next().value as string);
    const market = markets.data?.find((item) => item.name === notice.amounts?.market);
    const values: Record<string, string> = { ...notice.values };
    if (values.side) values.side = t(values.side === "buy" ? "order.buy" : "order.sell");
    if (values.reason !== undefined) values.reason = reasonText(values.reason, t) ?? "";
    if (market) {
      const { base, quote, price, filled, total } = notice.amounts ?? {};
      const withSymbol = (units: string) => `${formatBaseAmount(units, market, locale)} ${market.baseToken.symbol}`;
      if (base) values.amount = withSymbol(base);
      if (filled) values.filled = formatBaseAmount(filled, market, locale);
      if (total) values.total = withSymbol(total);
      const shown = quote !== undefined && base ? averagePrice(BigInt(base), BigInt(quote), market) : price || null;
      if (shown !== null) values.price = `${formatPrice(shown, market, locale)} ${market.quoteToken.symbol}`;
    }
    if (notice.tokenAmount) {
      const { token, units } = notice.tokenAmount;
      const info = tokenAt(markets.data ?? [], token);
      values.amount = info ? `${formatUnits(units, info.decimals)} ${info.symbol}` : `${units} ${token}`;
    }
    const explorer = network?.explorerUrl?.replace(/\/$/, "");
    toast.show({
      kind: notice.kind,
      title: t(notice.title, values),
      body: notice.body ? t(notice.body, values) : notice.txHash,
      link: notice.txHash && explorer ? { href: `${explorer}/tx/${notice.txHash}`, label: t("notify.viewTransaction") } : undefined,
    });
  }

  // The latest `show` (it reads the markets and the language of this render) for notices given later.
  const showLatest = useRef(show);
  showLatest.current = show;
  const fills = useRef<FillNotices | null>(null);
  useEffect(() => {
    const progress = (hash: string) => {
      const order = address ? cachedOpenOrder(queryClient, address, hash) : undefined;
      return order ? { baseAmount: BigInt(order.order.baseAmount), filled: BigInt(order.filled) } : undefined;
    };
    const current = new FillNotices((notice) => showLatest.current(notice), progress);
    fills.current = current;
    return () => current.clear();
  }, [address, queryClient]);

  useStream(address ? { channel: "account", address } : null, (message) => {
    if (refreshesDeposits(message)) void queryClient.invalidateQueries({ queryKey: depositsKey });
    if (message.type === "fill") fills.current?.fill(message);
    const notice = noticeFor(message);
    if (notice) show(notice);
    if (message.type === "order" && message.event === "filled") fills.current?.complete(String(message.hash));
  });

  // Credits: a deposit newly `confirmed` since the list was first read (older ones are history).
  const credited = useRef<Set<string> | null>(null);
  useEffect(() => {
    credited.current = null;
  }, [address]);
  useEffect(() => {
    if (!deposits.data) return;
    const confirmed = deposits.data.filter((row) => row.status === "confirmed");
    if (credited.current === null) {
      credited.current = new Set(confirmed.map((row) => row.id));
      return;
    }
    for (const row of confirmed) {
      if (credited.current.has(row.id)) continue;
      credited.current.add(row.id);
      const amount = row.decimals === null ? row.amount : formatUnits(row.amount, row.decimals);
      toast.show({ kind: "success", title: t("notify.credited"), body: t("notify.creditedBody", { amount: `${amount} ${row.symbol ?? ""}`.trim() }) });
    }
  }, [deposits.data]);

  return null;
}
