/**
 * The help center (`/help`): a search box over the published articles (every word must match, titles first)
 * and their list; `/help/<slug>` shows one article. Both in the page's language where staff translated the article,
 * else in English, said so and marked with its `lang` (screen readers pronounce it as English). Titles and
 * excerpts are text; an article's body is the server's sanitized HTML (backend/markup.py), the only HTML inserted
 * as HTML.
 */
import "./messages";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Field, StatusMessage } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { errorText } from "../../lib/errors";
import { Link, paths } from "../../lib/router";
import { helpApi, slugOf } from "./help-api";
import "./help.css";

const SEARCH_DELAY_MS = 250;

/** `rest` is the path after `/help/` (an article's slug). */
export default function HelpCenter({ rest }: { rest: string | null }) {
  return rest === null ? <ArticleSearch /> : <ArticlePage slug={slugOf(rest)} />;
}

function useDebounced(value: string, delayMs: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

function ArticleSearch() {
  const { t, locale } = useI18n();
  const ids = useId();
  const [query, setQuery] = useState("");
  const q = useDebounced(query.trim(), SEARCH_DELAY_MS);
  const found = useQuery({ queryKey: ["help", "articles", locale, q], queryFn: () => helpApi.search(q, locale) });
  const articles = found.data?.articles;

  return (
    <section className="help-center" aria-labelledby={`${ids}-title`}>
      <h1 id={`${ids}-title`}>{t("help.title")}</h1>
      <form role="search" className="help-center__search" onSubmit={(event) => event.preventDefault()}>
        <Field label={t("help.search")} type="search" value={query} maxLength={200} onChange={(event) => setQuery(event.target.value)} />
      </form>
      {found.isPending ? <StatusMessage kind="loading">{t("help.loading")}</StatusMessage> : null}
      {found.error ? (
        <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void found.refetch() }}>
          {errorText(found.error, t)}
        </StatusMessage>
      ) : null}
      {articles && !articles.length ? <StatusMessage kind="empty">{q ? t("help.noResults", { query: q }) : t("help.empty")}</StatusMessage> : null}
      {articles?.length ? (
        <ul className="help-center__list" aria-label={q ? t("help.results", { query: q }) : t("help.articles")}>
          {articles.map((article) => (
            <li key={article.slug} lang={article.language}>
              <Link to={`${paths.help}/${article.slug}`} className="help-center__link">
                {article.title}
              </Link>
              <p className="help-center__excerpt">{article.excerpt}</p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function ArticlePage({ slug }: { slug: string | null }) {
  const { t, formatDate, locale } = useI18n();
  const article = useQuery({
    queryKey: ["help", "article", locale, slug],
    queryFn: () => helpApi.article(slug ?? "", locale),
    enabled: slug !== null,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
  const missing = slug === null || (article.error instanceof ApiError && article.error.status === 404);

  return (
    <article className="help-article">
      <p>
        <Link to={paths.help}>{t("help.back")}</Link>
      </p>
      {missing ? <StatusMessage kind="empty">{t("help.notFound")}</StatusMessage> : null}
      {!missing && article.isPending ? <StatusMessage kind="loading">{t("help.loading")}</StatusMessage> : null}
      {!missing && article.error ? (
        <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void article.refetch() }}>
          {errorText(article.error, t)}
        </StatusMessage>
      ) : null}
      {article.data ? (
        <>
          <h1 lang={article.data.language}>{article.data.title}</h1>
          <p className="help-article__updated">{t("help.updated", { date: formatDate(article.data.updatedAt) })}</p>
          {article.data.language !== locale ? <p className="help-article__untranslated">{t("help.untranslated")}</p> : null}
          {article.data.outdated ? <p className="help-article__untranslated">{t("help.outdated")}</p> : null}
          <div className="help-article__body" lang={article.data.language} dangerouslySetInnerHTML={{ __html: article.data.bodyHtml }} />
        </>
      ) : null}
    </article>
  );
}
