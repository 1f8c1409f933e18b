/** React access to the shared stream: one hook per live view. */
import { useEffect, useRef, useSyncExternalStore } from "react";
import { channelKey, stream, type ChannelParams, type StreamError, type StreamListener, type StreamStatus } from "./stream-client";

/**
 * Listen to a channel while the component is mounted (null: listen to nothing). The latest `onMessage`
 * is always called, so it need not be memoised; the subscription changes only with the channel.
 */
export function useStream(params: ChannelParams | null, onMessage: StreamListener): void {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const key = params ? `${channelKey(params)}|${JSON.stringify(params)}` : null;
  useEffect(() => {
    if (!params) return undefined;
    return stream.subscribe(params, (message) => handler.current(message));
    // `key` stands for `params`: a new object with the same channel must not resubscribe.
  }, [key]);
}

/** The stream's connection state (to show "reconnecting" and to refetch REST data after a gap). */
export function useStreamStatus(): StreamStatus {
  return useSyncExternalStore(
    (listener) => stream.onStatus(listener),
    () => stream.status,
    () => stream.status,
  );
}

/** The server's refusal still in effect on the stream (a channel it refused is being asked for again), or null. */
export function useStreamError(): StreamError | null {
  return useSyncExternalStore(
    (listener) => stream.onError(listener),
    () => stream.error,
    () => stream.error,
  );
}

/**
 * Call `onResync` each time messages may have been missed (REST fills the hole): the stream is open again after
 * losing its socket, or the server reports a gap on a channel (rare: its Redis connection was lost).
 */
export function useOnResync(onResync: () => void): void {
  const status = useStreamStatus();
  const previous = useRef(status);
  const handler = useRef(onResync);
  handler.current = onResync;
  useEffect(() => {
    if (previous.current === "reconnecting" && status === "open") handler.current();
    previous.current = status;
  }, [status]);
  useEffect(() => stream.onGap(() => handler.current()), []);
}
