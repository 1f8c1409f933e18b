/**
 * The e-mail link `/account?verifyEmail=<token>`: the token is read once, sent once, then taken out of
 * the address bar (so a reload, a bookmark or a shared screen does not carry it on).
 */

export const VERIFY_PARAM = "verifyEmail";

/** The link's token, if the query has a plausible one (URL-safe characters, a sane length). */
export function verifyTokenOf(search: string): string | null {
  const token = new URLSearchParams(search).get(VERIFY_PARAM);
  return token && /^[A-Za-z0-9_.~-]{8,512}$/.test(token) ? token : null;
}

/** The same address without the token (other query parameters and the fragment kept). */
export function withoutVerifyToken(pathname: string, search: string, hash: string): string {
  const params = new URLSearchParams(search);
  params.delete(VERIFY_PARAM);
  const query = params.toString();
  return `${pathname}${query ? `?${query}` : ""}${hash}`;
}

/** Tokens already sent by this page, so React's double effects in development do not send one twice. */
const sent = new Set<string>();

/** True the first time a token is claimed in this page's life. */
export function claimToken(token: string): boolean {
  if (sent.has(token)) return false;
  sent.add(token);
  return true;
}
