export { SignInButton } from "./sign-in-button";
export { buildSiweMessage } from "./siwe";
export type { Session } from "./session";
export { useAuth, type Auth, type AuthStatus } from "./use-auth";
