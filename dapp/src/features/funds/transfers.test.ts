import type { Hex, PublicClient, WalletClient } from "viem";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, api } from "../../lib/api-client";
import { DEV_EIP712 } from "../../lib/signing.fixture";
import { ETH } from "../balances";
import { deposit, withdraw, type DepositStage } from "./transfers";
import { reviewWithdrawal } from "./withdrawal-review";

const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const EXCHANGE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const USDC = { address: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", symbol: "USDC", decimals: 6 } as const;
const TX: Hex = `0x${"aa".repeat(32)}`;
const REQUEST: Hex = `0x${"11".repeat(32)}`;
const blip = () => new ApiError(0, "NETWORK_ERROR", "the exchange cannot be reached");
const badGateway = () => new ApiError(502, "HTTP_502", "Bad Gateway");
const view = (status: string) => ({ hash: REQUEST, status, txHash: status === "accepted" ? null : TX, failure: null });

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("a deposit followed to its credit", () => {
  it("keeps polling through a failed status read, says meanwhile that the status is unread, and ends credited", async () => {
    const walletClient = { chain: undefined, writeContract: vi.fn(async () => TX) } as unknown as WalletClient;
    const publicClient = { waitForTransactionReceipt: vi.fn(async () => ({ status: "success" })) } as unknown as PublicClient;
    vi.spyOn(api, "get")
      .mockRejectedValueOnce(blip())
      .mockResolvedValueOnce({ deposits: [{ txHash: TX, status: "pending" }] })
      .mockResolvedValueOnce({ deposits: [{ txHash: TX, status: "confirmed" }] });
    const stages: DepositStage[] = [];
    const readable: boolean[] = [];
    const done = deposit({ address: WALLET, walletClient, publicClient }, EXCHANGE, ETH, 10n ** 18n, (stage) => stages.push(stage), (r) => readable.push(r));
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(done).resolves.toBeUndefined();
    expect(stages).toEqual(["pending", "mined", "credited"]);
    expect(readable).toEqual([false, true]);
  });
});

describe("a withdrawal", () => {
  function walletSigning() {
    const signTypedData = vi.fn(async () => `0x${"ab".repeat(65)}` as Hex);
    return { walletClient: { signTypedData } as unknown as WalletClient, signTypedData };
  }
  const reviewed = () => reviewWithdrawal({ wallet: WALLET, token: USDC, amount: 10_000_000n, feeRate: 0 });

  it("is followed through a failed status read (a 502 on the way) to completed, never told failed", async () => {
    const { walletClient } = walletSigning();
    vi.spyOn(api, "post").mockResolvedValueOnce(view("accepted"));
    vi.spyOn(api, "get").mockResolvedValueOnce(view("relaying")).mockRejectedValueOnce(badGateway()).mockResolvedValueOnce(view("completed"));
    const statuses: string[] = [];
    const readable: boolean[] = [];
    const done = withdraw(walletClient, async () => DEV_EIP712, reviewed(), (v) => statuses.push(v.status), (r) => readable.push(r));
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(done).resolves.toBeUndefined();
    expect(statuses).toEqual(["accepted", "relaying", "completed"]);
    expect(readable).toEqual([false, true]);
  });

  it("left unanswered after every resend, keeps its signed request: the next attempt sends it again, never a new signature", async () => {
    const { walletClient, signTypedData } = walletSigning();
    const post = vi.spyOn(api, "post").mockRejectedValue(badGateway());
    vi.spyOn(api, "get").mockResolvedValue(view("completed"));
    const withdrawal = reviewed();
    const first = withdraw(walletClient, async () => DEV_EIP712, withdrawal, () => {}, () => {}).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await first).toBeInstanceOf(ApiError);
    expect(withdrawal.submission.resending).toBe(true);
    expect(withdrawal.submission.pending?.hash).toMatch(/^0x[0-9a-f]{64}$/);

    post.mockReset().mockResolvedValueOnce(view("accepted"));
    const statuses: string[] = [];
    const again = withdraw(walletClient, async () => DEV_EIP712, withdrawal, (v) => statuses.push(v.status), () => {});
    await vi.advanceTimersByTimeAsync(5_000);
    await again;
    expect(signTypedData).toHaveBeenCalledTimes(1);
    expect(post).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(["accepted", "completed"]);
    expect(withdrawal.submission.resending).toBe(false);
  });
});
