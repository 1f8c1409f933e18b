/** The help center: searchable articles. `rest` is the path after `/help/` (an article's slug). */
export default function HelpCenter(_props: { rest: string | null }) {
  return null;
}
