/** The SIWE session on the server (an HttpOnly cookie): read it, create it, end it. */
import { ApiError, api } from "../../lib/api-client";

export interface Session {
  address: string;
  chainId: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const HINT_KEY = "hdex.session";

/**
 * The wallet that signed in last in this browser, while its session lasts. The session itself is an
 * HttpOnly cookie the page cannot see; asking the server without reason would answer 401, which
 * browsers log as a console error for every visitor who never signed in.
 */
export function sessionHint(now = Date.now()): string | null {
  try {
    const hint = JSON.parse(window.localStorage.getItem(HINT_KEY) ?? "null") as { address?: unknown; expiresAt?: unknown } | null;
    if (hint && typeof hint.address === "string" && typeof hint.expiresAt === "number" && hint.expiresAt > now) {
      return hint.address.toLowerCase();
    }
  } catch {
    // Unreadable or disabled storage: no hint.
  }
  return null;
}

export function rememberSession(session: Session | null): void {
  try {
    if (session) window.localStorage.setItem(HINT_KEY, JSON.stringify({ address: session.address, expiresAt: session.expiresAt }));
    else window.localStorage.removeItem(HINT_KEY);
  } catch {
    // Without storage the session is simply not looked up on the next visit.
  }
}

/** How long a sign-in asks to last; the server may cut it shorter. */
export const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** The current session, or null when there is none (401 NOT_SIGNED_IN) or the server has no auth. */
export async function fetchSession(): Promise<Session | null> {
  try {
    return await api.get<Session>("/v1/auth/session");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      rememberSession(null);
      return null;
    }
    throw error;
  }
}

export async function fetchNonce(): Promise<string> {
  return (await api.get<{ nonce: string }>("/v1/auth/nonce")).nonce;
}

export async function createSession(message: string, signature: string): Promise<Session> {
  return api.post<Session>("/v1/auth/siwe", { message, signature });
}

export async function endSession(): Promise<void> {
  await api.post<unknown>("/v1/auth/logout");
}

export interface SessionsEnded {
  signedOut: true;
  /** How many sessions of the wallet the server ended (0 when none was left). */
  sessionsEnded: number;
}

/**
 * Ends every session of the signed-in wallet, on every device and browser. A 401 NOT_SIGNED_IN means no
 * session was left to end: that is signed out already, not a failure.
 */
export async function endAllSessions(): Promise<SessionsEnded> {
  try {
    return await api.post<SessionsEnded>("/v1/auth/logout-all");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && error.code === "NOT_SIGNED_IN") return { signedOut: true, sessionsEnded: 0 };
    throw error;
  }
}
