/** Any error the app meets (API, wallet, network) as one sentence for the user. */
import type { MessageKey } from "../i18n";
import { ApiError, NETWORK_ERROR } from "./api-client";

type Translate = (key: MessageKey) => string;

/** EIP-1193 code of a request the user refused in the wallet. */
export const USER_REJECTED = 4001;

/** The EIP-1193 / JSON-RPC error code somewhere in an error's cause chain (viem wraps them). */
export function walletErrorCode(error: unknown): number | null {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "number") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export function isUserRejection(error: unknown): boolean {
  return walletErrorCode(error) === USER_REJECTED;
}

/** The user-facing text: the API's message (it says what to send instead), or a translated cause. */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) return error.code === NETWORK_ERROR ? t("common.error.network") : error.message;
  if (isUserRejection(error)) return t("common.error.rejected");
  const short = (error as { shortMessage?: unknown }).shortMessage; // viem's one-line summary
  if (typeof short === "string" && short) return short;
  if (error instanceof Error && error.message) return error.message;
  return t("common.error.unknown");
}
