/**
 * Sign-in state for the connected wallet. A session counts only for the wallet that is connected now:
 * after an account switch the user is signed out until that account signs in.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useWallet } from "../wallet";
import { buildSiweMessage, SIWE_STATEMENT } from "./siwe";
import {
  createSession,
  endAllSessions,
  endSession,
  fetchNonce,
  fetchSession,
  rememberSession,
  SESSION_LIFETIME_MS,
  sessionHint,
  type Session,
  type SessionsEnded,
} from "./session";

const SESSION_KEY = ["auth", "session"] as const;

export type AuthStatus = "loading" | "signed-out" | "signed-in";

export interface Auth {
  status: AuthStatus;
  session: Session | null;
  signIn(): Promise<Session>;
  signOut(): Promise<void>;
  /** Ends every session of the wallet (every device), then signs out here; a failure leaves this one signed in. */
  signOutEverywhere(): Promise<SessionsEnded>;
  signingIn: boolean;
  /** The wallet's account, chain and client are known, so signing in can start (the exchange's
   * network loads after a page opens, and the wallet client needs it). */
  canSignIn: boolean;
}

/** Forgets the session in this browser: after signing out, or once the server ended it (a deletion request). */
export function forgetSession(queryClient: QueryClient): void {
  rememberSession(null);
  queryClient.setQueryData(SESSION_KEY, null);
}

/** Signing out: end the session on the server, then forget it here whatever the answer. */
export function signOutMutation(queryClient: QueryClient) {
  return { mutationFn: endSession, onSettled: () => forgetSession(queryClient) };
}

/**
 * Signing out everywhere: the session is forgotten here only once the server ended every session. Refused or
 * unanswered, this browser stays signed in beside the error, so the user can ask again: signed out here, the
 * other devices would keep their sessions behind a page that no longer offers to end them.
 */
export function signOutEverywhereMutation(queryClient: QueryClient) {
  return { mutationFn: endAllSessions, onSuccess: () => forgetSession(queryClient) };
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

  const signOut = useMutation(signOutMutation(queryClient));
  const signOutEverywhere = useMutation(signOutEverywhereMutation(queryClient));

  const session = sessionQuery.data ?? null;
  const mine = Boolean(session && address && session.address.toLowerCase() === address.toLowerCase());
  return {
    status: sessionQuery.isLoading ? "loading" : mine ? "signed-in" : "signed-out",
    session: mine ? session : null,
    signIn: () => signInMutation.mutateAsync(),
    signOut: () => signOut.mutateAsync(),
    signOutEverywhere: () => signOutEverywhere.mutateAsync(),
    signingIn: signInMutation.isPending,
    canSignIn: Boolean(address && walletClient && chainId !== null),
  };
}
