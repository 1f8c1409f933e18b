/**
 * Moving money in and out of the exchange, step by step, so the panel can show where each transfer is:
 *
 * - a deposit is the wallet's own transaction: `approve` when the allowance is short, then
 *   `depositToken` (ETH: `depositEther` with the value); pending until mined, mined until the indexer
 *   credits it (`GET /v1/accounts/{a}/deposits` shows its transaction `confirmed`), as
 *   backend/client/chain.py does;
 * - a withdrawal is a signed request the operator relays: accepted, relaying, relayed (mined), then
 *   completed once final (`GET /v1/withdrawals/{hash}`), or failed with the reason.
 *
 * Neither is ever told failed for want of news: a status read that fails is polled again, and a transaction without a
 * receipt yet is still pending (wallet/mined). Telling either as failed invites the user to move the money twice.
 */
import { erc20Abi, hashTypedData, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { api } from "../../lib/api-client";
import { exchangeAbi } from "../../lib/exchange-abi";
import { freshNonce, signTyped, typedDataFor, type Eip712Info } from "../../lib/signing";
import { ETH } from "../balances";
import { mined } from "../wallet";
import { withdrawalBody, withdrawalMessage, WITHDRAWAL_LIFETIME_S, type SignedWithdrawal, type WithdrawalView } from "./withdrawal";
import type { ReviewedWithdrawal } from "./withdrawal-review";

const POLL_MS = 1_500;
/** How long the panel follows a transfer to its end; the balances tab keeps showing it after that. */
const FOLLOW_MS = 15 * 60_000;

export type DepositStage = "approving" | "pending" | "mined" | "credited";

/** Hears, whenever it changes, whether the latest read of a followed transfer's status got an answer. */
export type OnStatusReadable = (readable: boolean) => void;

interface Chain {
  address: Address;
  walletClient: WalletClient;
  publicClient: PublicClient;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The waits before each resend of a withdrawal request left without a clear answer. */
const RESEND_DELAYS_MS = [500, 1_000, 2_000] as const;

/** Poll `read` until it returns a value or the follow time is over (then null). A read that fails (a network blip, a
 * proxy's 502) is no news about the transfer: polling goes on. */
async function follow<T>(read: () => Promise<T | null>, onReadable: OnStatusReadable): Promise<T | null> {
  let readable = true;
  for (const until = Date.now() + FOLLOW_MS; Date.now() < until; await sleep(POLL_MS)) {
    let value: T | null = null;
    let answered = true;
    try {
      value = await read();
    } catch {
      answered = false;
    }
    if (answered !== readable) {
      readable = answered;
      onReadable(answered);
    }
    if (value !== null) return value;
  }
  return null;
}

/** Deposit `amount` of `token` from the wallet into its exchange balance, reporting each stage. */
export async function deposit(
  { address, walletClient, publicClient }: Chain,
  exchange: Address,
  token: Address,
  amount: bigint,
  onStage: (stage: DepositStage, txHash: Hex | null) => void,
  onReadable: OnStatusReadable,
): Promise<void> {
  const send = { account: address, chain: walletClient.chain } as const;
  let hash: Hex;
  if (token.toLowerCase() === ETH) {
    hash = await walletClient.writeContract({ ...send, address: exchange, abi: exchangeAbi, functionName: "depositEther", value: amount });
  } else {
    const allowance = await publicClient.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [address, exchange] });
    if (allowance < amount) {
      onStage("approving", null);
      // Exactly the amount, never an unlimited allowance: the exchange can pull nothing more.
      await mined(publicClient, await walletClient.writeContract({ ...send, address: token, abi: erc20Abi, functionName: "approve", args: [exchange, amount] }));
    }
    hash = await walletClient.writeContract({ ...send, address: exchange, abi: exchangeAbi, functionName: "depositToken", args: [token, amount] });
  }
  onStage("pending", hash);
  await mined(publicClient, hash);
  onStage("mined", hash);
  const credited = await follow(async () => {
    const { deposits } = await api.get<{ deposits: { txHash: string; status: string }[] }>(`/v1/accounts/${address}/deposits`, {
      query: { limit: 50 },
    });
    const ours = deposits.find((row) => row.txHash.toLowerCase() === hash.toLowerCase());
    return ours && (ours.status === "confirmed" || ours.status === "frozen") ? ours : null;
  }, onReadable);
  if (credited) onStage("credited", hash);
}

/** Request the reviewed withdrawal, signed by its wallet with the signing terms `eip712` gives (read only when a
 * signature is needed), then follow it, reporting each status. A request still without a clear answer after the
 * resends stays in `reviewed.submission` (it throws), for the panel to send again as signed. */
export async function withdraw(
  walletClient: WalletClient,
  eip712: () => Promise<Eip712Info>,
  reviewed: ReviewedWithdrawal,
  onStatus: (view: WithdrawalView) => void,
  onReadable: OnStatusReadable,
): Promise<void> {
  const { wallet, token, amount, feeRate, travelRule, submission } = reviewed;
  const sign = async (): Promise<SignedWithdrawal> => {
    const terms = await eip712();
    const expiry = BigInt(Math.floor(Date.now() / 1000)) + WITHDRAWAL_LIFETIME_S;
    const message = withdrawalMessage(wallet, token.address as Address, amount, feeRate, freshNonce(), expiry);
    const signature = await signTyped(walletClient, wallet, terms, "Withdrawal", message);
    return { hash: hashTypedData(typedDataFor(terms, "Withdrawal", message)), body: withdrawalBody(message, signature, travelRule), expiry };
  };
  // A refused resend is read back by its hash, as the Python client does: DUPLICATE_WITHDRAWAL means the first one stands.
  const accepted = await submission.submitWithResends(
    sign,
    (signed) => api.post<WithdrawalView>("/v1/withdrawals", signed.body),
    (signed) => api.find<WithdrawalView>(`/v1/withdrawals/${signed.hash}`),
    RESEND_DELAYS_MS,
  );
  onStatus(accepted);
  let last = `${accepted.status}|${accepted.txHash}`;
  await follow(async () => {
    const view = await api.get<WithdrawalView>(`/v1/withdrawals/${accepted.hash}`);
    if (`${view.status}|${view.txHash}` !== last) onStatus(view);
    last = `${view.status}|${view.txHash}`;
    return view.status === "completed" || view.status === "failed" ? view : null;
  }, onReadable);
}
