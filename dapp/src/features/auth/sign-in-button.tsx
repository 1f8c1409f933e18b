/** "Sign in" with the connected wallet (SIWE), or "Sign out" and "Sign out everywhere" once signed in. */
import { useState } from "react";
import { useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import { errorText } from "../../lib/errors";
import { useWallet } from "../wallet";
import { useAuth } from "./use-auth";

export function SignInButton() {
  const { status: walletStatus, wrongChain } = useWallet();
  const { status, signIn, signOut, signOutEverywhere, signingIn, canSignIn } = useAuth();
  const { t } = useI18n();
  const toast = useToast();
  const [error, setError] = useState<unknown>(null);
  if (walletStatus !== "connected") return null;

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
    } catch (cause) {
      setError(cause); // kept as the error, so it is worded in the language shown
    }
  }

  async function signOutOfEverySession() {
    const { sessionsEnded } = await signOutEverywhere();
    if (sessionsEnded > 0) toast.show({ kind: "success", title: t("auth.signedOutEverywhere", { count: sessionsEnded }) });
  }

  return (
    <div className="sign-in">
      {status === "signed-in" ? (
        <>
          <button type="button" className="button button--small button--ghost" onClick={() => void run(signOut)}>
            {t("auth.signOut")}
          </button>
          <button type="button" className="button button--small button--ghost" onClick={() => void run(signOutOfEverySession)}>
            {t("auth.signOutEverywhere")}
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button button--small"
          onClick={() => void run(signIn)}
          disabled={signingIn || wrongChain || !canSignIn || status === "loading"}
          title={wrongChain ? t("auth.switchFirst") : undefined}
        >
          {signingIn ? t("auth.signingIn") : t("auth.signIn")}
        </button>
      )}
      {error !== null ? (
        <span className="sign-in__error" role="alert">
          {errorText(error, t)}
        </span>
      ) : null}
    </div>
  );
}
