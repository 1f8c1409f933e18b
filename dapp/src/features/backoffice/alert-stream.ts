/**
 * The back office's live alerts: Server-Sent Events from GET /v1/staff/alerts/stream (event `alert`, data an
 * Alert's JSON), on the staff session's cookie. While the stream is down (not yet open, reconnecting, or
 * refused for good: a 401, a 403, a server without it) the list falls back to refetching; each time the
 * stream opens again the list is refetched once, to fill what was missed.
 */
import { useEffect, useRef, useState } from "react";
import { parseAlertEvent } from "./alerts";
import { ALERT_STREAM_URL } from "./staff-api";
import type { Alert } from "./staff-types";

export type AlertStreamStatus = "connecting" | "live" | "down";

/** What the connection needs of EventSource (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => unknown) | null;
  onerror: ((event: Event) => unknown) | null;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string, init: { withCredentials: boolean }) => EventSourceLike;

const CLOSED = 2; // EventSource.CLOSED: the browser will not reconnect by itself

export interface AlertStreamHandlers {
  onAlert(alert: Alert): void;
  onStatus(status: AlertStreamStatus): void;
  /** The stream (re)opened: what happened while it was down is read again. */
  onResync(): void;
}

/**
 * Open the stream; the returned function closes it. A stream the browser gave up on (CLOSED) is opened
 * again after `retryMs`, so a back office left open recovers from a restart of the API.
 */
export function connectAlertStream(create: EventSourceFactory, handlers: AlertStreamHandlers, retryMs = 15_000): () => void {
  let source: EventSourceLike | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  function open() {
    handlers.onStatus("connecting");
    const current = create(ALERT_STREAM_URL, { withCredentials: true });
    source = current;
    current.onopen = () => {
      handlers.onStatus("live");
      handlers.onResync();
    };
    current.onerror = () => {
      handlers.onStatus("down");
      if (current.readyState === CLOSED && !stopped) {
        current.close();
        retry = setTimeout(open, retryMs);
      }
    };
    current.addEventListener("alert", (event) => {
      const alert = parseAlertEvent(event.data);
      if (alert) handlers.onAlert(alert);
    });
  }

  open();
  return () => {
    stopped = true;
    if (retry !== null) clearTimeout(retry);
    source?.close();
  };
}

const browserEventSource: EventSourceFactory = (url, init) => new EventSource(url, init);

/** The stream while mounted; the latest handlers are always called. Returns the stream's status. */
export function useAlertStream(onAlert: (alert: Alert) => void, onResync: () => void, create: EventSourceFactory = browserEventSource): AlertStreamStatus {
  const [status, setStatus] = useState<AlertStreamStatus>("connecting");
  const handlers = useRef({ onAlert, onResync });
  handlers.current = { onAlert, onResync };
  useEffect(() => {
    if (typeof EventSource === "undefined" && create === browserEventSource) {
      setStatus("down");
      return undefined;
    }
    return connectAlertStream(create, {
      onAlert: (alert) => handlers.current.onAlert(alert),
      onResync: () => handlers.current.onResync(),
      onStatus: setStatus,
    });
  }, [create]);
  return status;
}
