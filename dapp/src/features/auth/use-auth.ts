/**
 * Sign-in state for the connected wallet. A session counts only for the wallet that is connected now:
 * after an account switch the user is signed out until that account signs in.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useWallet } from "../wallet";
import { buildSiweMessage, SIWE_STATEMENT } from "./siwe";
import {
  createSession,
  endSession,
  fetchNonce,
  fetchSession,
  rememberSession,
  SESSION_LIFETIME_MS,
  sessionHint,
  type Session,
} from "./session";

const SESSION_KEY = ["auth", "session"] as const;

export type AuthStatus = "loading" | "signed-out" | "signed-in";

export interface Auth {
  status: AuthStatus;
  session: Session | null;
  signIn(): Promise<Session>;
  signOut(): Promise<void>;
  signingIn: boolean;
  /** The wallet's account, chain and client are known, so signing in can start (the exchange's
   * network loads after a page opens, and the wallet client needs it). */
  canSignIn: boolean;
}

export function useAuth(): Auth {
  const { address, chainId, walletClient, wrongChain } = useWallet();
  const queryClient = useQueryClient();
  // Only a wallet that signed in here before can have a session worth asking about.
  const hinted = Boolean(address && sessionHint() === address.toLowerCase());
  const sessionQuery = useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, enabled: hinted });

  const signInMutation = useMutation({
    mutationFn: async () => {
      if (!address || !walletClient || chainId === null) throw new Error("connect a wallet first");
      if (wrongChain) throw new Error("switch the wallet to the exchange's network first");
      const nonce = await fetchNonce();
      const issuedAt = new Date();
      const message = buildSiweMessage({
        domain: window.location.host,
        address,
        statement: SIWE_STATEMENT,
        uri: window.location.origin,
        chainId,
        nonce,
        issuedAt,
        expirationTime: new Date(issuedAt.getTime() + SESSION_LIFETIME_MS),
      });
      const signature = await walletClient.signMessage({ account: address, message });
      return createSession(message, signature);
    },
    onSuccess: (session) => {
      rememberSession(session);
      queryClient.setQueryData(SESSION_KEY, session);
    },
  });

  const signOutMutation = useMutation({
    mutationFn: endSession,
    onSettled: () => {
      rememberSession(null);
      queryClient.setQueryData(SESSION_KEY, null);
    },
  });

  const session = sessionQuery.data ?? null;
  const mine = Boolean(session && address && session.address.toLowerCase() === address.toLowerCase());
  return {
    status: sessionQuery.isLoading ? "loading" : mine ? "signed-in" : "signed-out",
    session: mine ? session : null,
    signIn: () => signInMutation.mutateAsync(),
    signOut: () => signOutMutation.mutateAsync(),
    signingIn: signInMutation.isPending,
    canSignIn: Boolean(address && walletClient && chainId !== null),
  };
}
