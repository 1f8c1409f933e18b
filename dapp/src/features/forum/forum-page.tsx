/** The forum: categories, threads, replies, search. `rest` is the path after `/forum/`. */
export default function ForumPage(_props: { rest: string | null }) {
  return null;
}
