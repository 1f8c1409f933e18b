export { SignInButton } from "./sign-in-button";
export { buildSiweMessage } from "./siwe";
export type { Session, SessionsEnded } from "./session";
export { forgetSession, useAuth, type Auth, type AuthStatus } from "./use-auth";
