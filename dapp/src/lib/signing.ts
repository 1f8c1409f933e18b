/**
 * EIP-712 documents built from the server's own signing forms (`GET /v1/eip712`,
 * `typedData.<T>.signTypedDataV4`): the app adds the message and nothing else, so the wallet hashes
 * the exact domain and types the API and the contract check (backend/signing/typed_data.py).
 * Orders, cancels and withdrawals are all signed through `signTyped`.
 */

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { Address, Hex, TypedDataDefinition, WalletClient } from "viem";
import { api } from "./api-client";

export type PrimaryType = "Order" | "Cancel" | "Withdrawal";

interface TypedField {
  name: string;
  type: string;
}

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

/** What the app reads of `GET /v1/eip712`. */
export interface Eip712Info {
  domain: Eip712Domain;
  typedData: Record<
    PrimaryType,
    { signTypedDataV4: { types: Record<string, readonly TypedField[]>; primaryType: PrimaryType; domain: Eip712Domain } }
  >;
}

const EIP712_KEY = ["eip712"];
const readEip712 = () => api.get<Eip712Info>("/v1/eip712");

/** The signing forms; they change only with a new deployment. Enough to know the app is ready to sign; what it
 * signs with comes from `useCurrentEip712`. */
export function useEip712() {
  return useQuery({ queryKey: EIP712_KEY, queryFn: readEip712, staleTime: Infinity });
}

/** The signing forms as the server serves them now, read again before every signature and deposit: a tab open
 * across a redeployment would otherwise sign for the old Exchange (refused as not the maker's signature) and
 * deposit into a contract the exchange no longer follows. */
export function useCurrentEip712(): () => Promise<Eip712Info> {
  const queryClient = useQueryClient();
  return () => queryClient.fetchQuery({ queryKey: EIP712_KEY, queryFn: readEip712, staleTime: 0 });
}

/** The `eth_signTypedData_v4` document of `message` (viem's `signTypedData` and `hashTypedData` take it). */
export function typedDataFor(info: Eip712Info, primaryType: PrimaryType, message: object): TypedDataDefinition {
  const form = info.typedData[primaryType].signTypedDataV4;
  return {
    domain: form.domain,
    types: form.types,
    primaryType: form.primaryType,
    message: message as Record<string, unknown>,
  } as TypedDataDefinition;
}

/** Ask the wallet to sign `message` as `primaryType` (eth_signTypedData_v4). */
export function signTyped(
  walletClient: WalletClient,
  account: Address,
  info: Eip712Info,
  primaryType: PrimaryType,
  message: object,
): Promise<Hex> {
  return walletClient.signTypedData({ account, ...typedDataFor(info, primaryType, message) });
}

/** A fresh nonce for a withdrawal (orders count up from `GET /v1/nonce` instead): nanoseconds since the
 * epoch, like the Python client's `time.time_ns()`, with random low digits so two messages signed in one
 * millisecond stay distinct. Above any nonce floor a wallet raised with a timestamp, and inside uint64 until
 * the year 2554. */
export function freshNonce(nowMs: number = Date.now()): bigint {
  const [random = 0] = crypto.getRandomValues(new Uint32Array(1));
  return BigInt(nowMs) * 1_000_000n + BigInt(random % 1_000_000);
}
