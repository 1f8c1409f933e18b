/**
 * The e-mail link (`/account?verifyEmail=<token>`): once the wallet is signed in, the token is sent once,
 * taken out of the address bar, and the outcome shown.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { StatusMessage } from "../../components/ui";
import { useI18n } from "../../i18n";
import { navigate, useLocation } from "../../lib/router";
import { accountApi, accountKeys, forgettingEndedSession } from "./account-api";
import { accountErrorText } from "./error-text";
import { claimToken, verifyTokenOf, withoutVerifyToken } from "./verify-email";

export function EmailVerification({ address }: { address: string | null }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const location = useLocation();
  const token = verifyTokenOf(location.search);
  const verifyEmail = forgettingEndedSession(queryClient, accountApi.verifyEmail);
  const verify = useMutation({
    mutationFn: verifyEmail,
    onSuccess: (profile) => queryClient.setQueryData(accountKeys.profile(address), profile),
    onSettled: () => navigate(withoutVerifyToken(location.pathname, location.search, location.hash), { replace: true }),
  });
  const { mutate } = verify;

  useEffect(() => {
    if (!token || !address) return;
    if (claimToken(token)) mutate(token);
    // A token this page already sent (the back button): only take it out of the address bar again.
    else navigate(withoutVerifyToken(location.pathname, location.search, location.hash), { replace: true });
  }, [token, address, mutate, location]);

  if (verify.isSuccess) return <p role="status" className="account-page__notice">{t("profile.verify.done", { email: verify.data.email ?? "" })}</p>;
  if (verify.isError)
    return (
      <StatusMessage kind="error">{accountErrorText(verify.error, t)}</StatusMessage>
    );
  if (token && !address) return <p role="status" className="account-page__notice">{t("profile.verify.signInFirst")}</p>;
  if (verify.isPending) return <StatusMessage kind="loading">{t("profile.verify.checking")}</StatusMessage>;
  return null;
}
