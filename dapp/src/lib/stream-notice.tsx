/** The banner telling that live data (book, trades, prices, account) may lag: the stream is reconnecting, or the
 * server refused a subscription and it is being asked for again. */
import { useI18n, type MessageKey } from "../i18n";
import type { StreamError, StreamStatus } from "./stream-client";
import { useStreamError, useStreamStatus } from "./use-stream";

/** What the banner says for the stream's `status` and standing `error`, or null when live data flows. */
function streamNotice(status: StreamStatus, error: StreamError | null): { key: MessageKey; message: string } | null {
  if (status === "reconnecting") return { key: "common.reconnecting", message: "" };
  if (!error) return null;
  return { key: error.code === "RATE_LIMITED" ? "common.streamLimited" : "common.streamRefused", message: error.message };
}

export function StreamNotice() {
  const { t } = useI18n();
  const notice = streamNotice(useStreamStatus(), useStreamError());
  if (!notice) return null;
  return (
    <p className="banner banner--warning" role="status" aria-label={t("common.liveData")}>
      {t(notice.key, { message: notice.message })}
    </p>
  );
}
