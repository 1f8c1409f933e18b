/** The signed-in user's tickets: open one, read replies, answer, close. `rest` is the path after `/support/`. */
export default function SupportPage(_props: { rest: string | null }) {
  return null;
}
