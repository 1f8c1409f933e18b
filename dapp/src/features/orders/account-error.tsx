/** What went wrong with an action of the account panel (a cancel, say), above its table; nothing when `text` is null. */
export function AccountError({ text }: { text: string | null }) {
  return text ? (
    <p className="form-error account-tabs__error" role="alert">
      {text}
    </p>
  ) : null;
}
