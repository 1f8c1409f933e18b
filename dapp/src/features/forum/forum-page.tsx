/**
 * The forum (`/forum`): categories, a category's threads (`/forum/c/<slug>`, pinned first, then newest
 * activity), a thread with its posts oldest first (`/forum/t/<id>`), and search (`/forum/search?q=`). Anyone
 * reads; a signed-in wallet starts threads, replies and reports posts. Titles, names and reasons are text; a
 * post's body is the server's sanitized HTML (backend/markup.py), the only HTML inserted as HTML.
 */
import "./messages";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, LoadMore, SelectField, StatusMessage, TextAreaField } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { unsentRest } from "../../lib/drafts";
import { errorText } from "../../lib/errors";
import { loadError } from "../../lib/query-client";
import { Link, navigate, useLocation } from "../../lib/router";
import { useAuth } from "../auth";
import { shortAddress } from "../wallet";
import {
  forumApi,
  forumErrorMessage,
  forumPaths,
  forumView,
  MAX_MESSAGE_CHARS,
  MAX_REASON_CHARS,
  MAX_TITLE_CHARS,
  messageProblem,
  reasonProblem,
  searchSort,
  titleProblem,
  type Post,
  type SearchSort,
  type Thread,
} from "./forum-api";
import "./forum.css";

/** `rest` is the path after `/forum/`. */
export default function ForumPage({ rest }: { rest: string | null }) {
  const view = forumView(rest);
  const { t } = useI18n();
  const location = useLocation();
  return (
    <div className="forum">
      <h1 className="forum__title">
        <Link to={forumPaths.home}>{t("forum.title")}</Link>
      </h1>
      <SearchBox />
      {view.kind === "home" ? <Categories /> : null}
      {view.kind === "category" ? <CategoryThreads slug={view.slug} /> : null}
      {view.kind === "thread" ? <ThreadPage id={view.id} /> : null}
      {view.kind === "search" ? <SearchResults {...searchOf(location.search)} /> : null}
      {view.kind === "unknown" ? <StatusMessage kind="empty">{t("forum.notFound")}</StatusMessage> : null}
    </div>
  );
}

function useErrorText(): (error: unknown) => string {
  const { t } = useI18n();
  return (error) => {
    const known = forumErrorMessage(error);
    return known ? t(known.key, known.params) : errorText(error, t);
  };
}

function useSignedIn(): string | null {
  const auth = useAuth();
  return auth.status === "signed-in" && auth.session ? auth.session.address : null;
}

function SignInPrompt({ what }: { what: MessageKey }) {
  const { t } = useI18n();
  return (
    <div className="forum__sign-in">
      {/* the header holds the wallet's Connect and Sign in buttons: one of each on the page */}
      <StatusMessage kind="empty">{t(what)}</StatusMessage>
    </div>
  );
}

function SearchBox() {
  const { t } = useI18n();
  const location = useLocation();
  const [query, setQuery] = useState(() => new URLSearchParams(location.search).get("q") ?? "");
  function submit(event: FormEvent) {
    event.preventDefault();
    if (query.trim()) navigate(forumPaths.search(query.trim()));
  }
  return (
    <form role="search" className="forum__search" onSubmit={submit}>
      <Field label={t("forum.search")} type="search" value={query} maxLength={200} onChange={(e) => setQuery(e.target.value)} />
      <button type="submit" className="button button--small">
        {t("forum.searchButton")}
      </button>
    </form>
  );
}

/** The categories, named in the page's language where moderators translated them. */
function useCategories() {
  const { locale } = useI18n();
  return useQuery({ queryKey: ["forum", "categories", locale], queryFn: () => forumApi.categories(locale) });
}

function Categories() {
  const { t } = useI18n();
  const describe = useErrorText();
  const categories = useCategories();
  const failed = loadError(categories);
  if (failed)
    return (
      <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void categories.refetch() }}>
        {describe(failed)}
      </StatusMessage>
    );
  if (!categories.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  return (
    <ul className="forum__categories" aria-label={t("forum.categories")}>
      {categories.data.categories.map((category) => (
        <li key={category.slug} className="forum__card">
          <Link to={forumPaths.category(category.slug)} className="forum__link" lang={category.language}>
            {category.name}
          </Link>
          <p lang={category.language}>{category.description}</p>
          <span className="forum__meta">{t(category.threadCount === 1 ? "forum.threadCountOne" : "forum.threadCount", { count: category.threadCount })}</span>
        </li>
      ))}
    </ul>
  );
}

function CategoryThreads({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const describe = useErrorText();
  const address = useSignedIn();
  const category = useCategories().data?.categories.find((c) => c.slug === slug);
  const name = category?.name ?? slug;
  const threads = useInfiniteQuery({
    queryKey: ["forum", "threads", slug],
    queryFn: ({ pageParam }) => forumApi.threads(slug, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const list = threads.data?.pages.flatMap((page) => page.threads) ?? [];
  return (
    <section aria-label={name}>
      <h2 lang={category?.language}>{name}</h2>
      {address ? <NewThreadForm slug={slug} /> : <SignInPrompt what="forum.signInToPost" />}
      {threads.error ? (
        <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void threads.refetch() }}>
          {describe(threads.error)}
        </StatusMessage>
      ) : null}
      {threads.isPending ? <StatusMessage kind="loading">{t("common.loading")}</StatusMessage> : null}
      {threads.data && !list.length ? <StatusMessage kind="empty">{t("forum.noThreads")}</StatusMessage> : null}
      {list.length ? (
        <ul className="forum__threads" aria-label={t("forum.threads")}>
          {list.map((thread) => (
            <li key={thread.id} className="forum__card">
              <Link to={forumPaths.thread(thread.id)} className="forum__link">
                {thread.title}
              </Link>
              {thread.pinned ? <span className="forum__badge">{t("forum.pinned")}</span> : null}
              {thread.locked ? <span className="forum__badge">{t("forum.locked")}</span> : null}
              <span className="forum__meta">
                {t(thread.replyCount === 1 ? "forum.threadMetaOne" : "forum.threadMeta", { author: shortAddress(thread.author), replies: thread.replyCount, at: formatDateTime(thread.lastPostAt) })}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore query={threads} />
    </section>
  );
}

function NewThreadForm({ slug }: { slug: string }) {
  const { t } = useI18n();
  const ids = useId();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const [attempted, setAttempted] = useState(false);
  const create = useMutation({
    mutationFn: () => forumApi.newThread(slug, title.trim(), message),
    onSuccess: ({ thread }) => {
      void queryClient.invalidateQueries({ queryKey: ["forum"] });
      navigate(forumPaths.thread(thread.id), { toTop: true });
    },
  });
  const titleError = titleProblem(title);
  const messageError = messageProblem(message);
  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!titleError && !messageError) create.mutate();
  }
  return (
    <form className="forum__form" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{t("forum.newThread")}</h3>
      <Field
        label={t("forum.field.title")}
        value={title}
        maxLength={MAX_TITLE_CHARS}
        onChange={(e) => setTitle(e.target.value)}
        error={attempted && titleError ? t(titleError.key, titleError.params) : null}
      />
      <TextAreaField
        label={t("forum.field.message")}
        rows={5}
        value={message}
        maxLength={MAX_MESSAGE_CHARS}
        hint={t("forum.markdownHint")}
        onChange={(e) => setMessage(e.target.value)}
        error={attempted && messageError ? t(messageError.key, messageError.params) : null}
      />
      <button type="submit" className="button" disabled={create.isPending}>
        {t("forum.post")}
      </button>
      {create.error ? (
        <p className="form-error" role="alert">
          {describe(create.error)}
        </p>
      ) : null}
    </form>
  );
}

function ThreadPage({ id }: { id: number }) {
  const { t } = useI18n();
  const describe = useErrorText();
  const address = useSignedIn();
  const thread = useQuery({ queryKey: ["forum", "thread", id], queryFn: () => forumApi.thread(id) });
  const posts = useInfiniteQuery({
    queryKey: ["forum", "posts", id],
    queryFn: ({ pageParam }) => forumApi.posts(id, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const failed = loadError(thread);
  if (failed) {
    // gone (removed, hidden, a mistyped link): asking again cannot help, the forum's front page can
    const gone = failed instanceof ApiError && failed.status === 404;
    return (
      <>
        <StatusMessage
          kind="error"
          action={gone ? undefined : { label: t("common.retry"), onClick: () => void thread.refetch() }}
        >
          {describe(failed)}
        </StatusMessage>
        {gone ? (
          <p className="forum__crumbs">
            <Link to={forumPaths.home}>{t("forum.backToForum")}</Link>
          </p>
        ) : null}
      </>
    );
  }
  if (!thread.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  const list = posts.data?.pages.flatMap((page) => page.posts) ?? [];
  return (
    <article className="forum__thread" aria-label={thread.data.title}>
      <p className="forum__crumbs">
        <Link to={forumPaths.category(thread.data.category)}>{t("forum.back")}</Link>
      </p>
      <h2>{thread.data.title}</h2>
      {thread.data.locked ? <StatusMessage kind="empty">{t("forum.lockedNotice")}</StatusMessage> : null}
      {posts.error ? <StatusMessage kind="error">{describe(posts.error)}</StatusMessage> : null}
      <ol className="forum__posts" aria-label={t("forum.posts")}>
        {list.map((post) => (
          <PostItem key={post.id} post={post} address={address} />
        ))}
      </ol>
      <LoadMore query={posts} />
      {thread.data.locked ? null : address ? <ReplyForm thread={thread.data} /> : <SignInPrompt what="forum.signInToReply" />}
    </article>
  );
}

function PostItem({ post, address }: { post: Post; address: string | null }) {
  const { t, formatDateTime } = useI18n();
  const [reporting, setReporting] = useState(false);
  const mine = address !== null && address.toLowerCase() === post.author.toLowerCase();
  return (
    <li className="forum__post" aria-label={t("forum.postBy", { author: shortAddress(post.author) })}>
      <header className="forum__meta">
        <span title={post.author}>{shortAddress(post.author)}</span> · {formatDateTime(post.createdAt)}
      </header>
      {/* sanitized by the server (backend/markup.py render): inert whatever was typed */}
      <div className="forum__body" dangerouslySetInnerHTML={{ __html: post.messageHtml }} />
      {address && !mine ? (
        reporting ? (
          <ReportForm post={post} onDone={() => setReporting(false)} />
        ) : (
          <button
            type="button"
            className="button button--small button--ghost"
            aria-label={t("forum.reportPostBy", { author: shortAddress(post.author) })}
            onClick={() => setReporting(true)}
          >
            {t("forum.report")}
          </button>
        )
      ) : null}
    </li>
  );
}

function ReportForm({ post, onDone }: { post: Post; onDone(): void }) {
  const { t } = useI18n();
  const describe = useErrorText();
  const [reason, setReason] = useState("");
  const [attempted, setAttempted] = useState(false);
  const [sent, setSent] = useState(false);
  const report = useMutation({ mutationFn: () => forumApi.report(post.id, reason.trim()), onSuccess: () => setSent(true) });
  const problem = reasonProblem(reason);
  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem) report.mutate();
  }
  if (sent)
    return (
      <p role="status" className="forum__note">
        {t("forum.reported")}
      </p>
    );
  return (
    <form className="forum__report" onSubmit={submit} noValidate aria-label={t("forum.reportTitle")}>
      <Field
        label={t("forum.field.reason")}
        value={reason}
        maxLength={MAX_REASON_CHARS}
        onChange={(e) => setReason(e.target.value)}
        error={attempted && problem ? t(problem.key, problem.params) : null}
      />
      <button type="submit" className="button button--small" disabled={report.isPending}>
        {t("forum.sendReport")}
      </button>
      <button type="button" className="button button--small button--ghost" onClick={onDone}>
        {t("forum.cancel")}
      </button>
      {report.error ? (
        <p className="form-error" role="alert">
          {describe(report.error)}
        </p>
      ) : null}
    </form>
  );
}

function ReplyForm({ thread }: { thread: Thread }) {
  const { t } = useI18n();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  const [attempted, setAttempted] = useState(false);
  const send = useMutation({
    mutationFn: (text: string) => forumApi.reply(thread.id, text),
    onSuccess: (_, text) => {
      setMessage((current) => unsentRest(current, text));
      setAttempted(false);
      void queryClient.invalidateQueries({ queryKey: ["forum"] });
    },
  });
  const problem = messageProblem(message);
  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem) send.mutate(message);
  }
  return (
    <form className="forum__form" onSubmit={submit} noValidate>
      <TextAreaField
        label={t("forum.field.reply")}
        rows={4}
        value={message}
        maxLength={MAX_MESSAGE_CHARS}
        hint={t("forum.markdownHint")}
        onChange={(e) => setMessage(e.target.value)}
        error={attempted && problem ? t(problem.key, problem.params) : null}
      />
      <button type="submit" className="button" disabled={send.isPending}>
        {t("forum.sendReply")}
      </button>
      {send.error ? (
        <p className="form-error" role="alert">
          {describe(send.error)}
        </p>
      ) : null}
    </form>
  );
}

function searchOf(query: string): { q: string; sort: SearchSort } {
  const params = new URLSearchParams(query);
  return { q: params.get("q")?.trim() ?? "", sort: searchSort(params.get("sort")) };
}

/** The posts matching `q` (the page's `?q=`), in the order `sort` (`?sort=`), which the reader can change. */
export function SearchResults({ q, sort = "relevance" }: { q: string; sort?: SearchSort }) {
  const { t } = useI18n();
  const describe = useErrorText();
  const found = useInfiniteQuery({
    queryKey: ["forum", "search", q, sort],
    queryFn: ({ pageParam }) => forumApi.search(q, sort, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    enabled: q.length > 0,
  });
  const hits = found.data?.pages.flatMap((page) => page.results) ?? [];
  if (!q) return <StatusMessage kind="empty">{t("forum.searchEmpty")}</StatusMessage>;
  return (
    <section aria-label={t("forum.results", { query: q })}>
      <h2>{t("forum.results", { query: q })}</h2>
      <SelectField
        label={t("forum.sort")}
        className="forum__sort"
        value={sort}
        options={[
          ["relevance", t("forum.sortRelevance")],
          ["newest", t("forum.sortNewest")],
        ]}
        onChange={(e) => navigate(forumPaths.search(q, searchSort(e.target.value)))}
      />
      {found.error ? <StatusMessage kind="error">{describe(found.error)}</StatusMessage> : null}
      {found.isPending ? <StatusMessage kind="loading">{t("common.loading")}</StatusMessage> : null}
      {found.data && !hits.length ? <StatusMessage kind="empty">{t("forum.noResults", { query: q })}</StatusMessage> : null}
      <ul className="forum__threads">
        {hits.map((hit) => (
          <li key={hit.post.id} className="forum__card">
            <Link to={forumPaths.thread(hit.post.threadId)} className="forum__link">
              {hit.threadTitle}
            </Link>
            <div className="forum__body" dangerouslySetInnerHTML={{ __html: hit.post.messageHtml }} />
          </li>
        ))}
      </ul>
      <LoadMore query={found} />
    </section>
  );
}
