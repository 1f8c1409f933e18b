/**
 * One WebSocket to `/v1/ws` shared by every live view. Listeners subscribe to channels; the client
 * counts them per channel, subscribes on the server when the first one comes and unsubscribes after the last one
 * leaves, replays every subscription after a reconnect (the book then starts again from a snapshot), pings to notice a
 * dead socket, and lets a listener ask for a fresh snapshot when it sees a `seq` gap. A gap the server reports
 * (`{"op": "gap"}`) gets a book a fresh snapshot, and is told to gap listeners so other views read their state again.
 *
 * The server answers each frame in turn (`pong`, `subscribed`, `unsubscribed`, or `{"op": "error"}` naming no
 * channel), so the client matches answers to the frames it sent in order. A (un)subscribe refused as RATE_LIMITED
 * (the address's message budget or channel count is spent, e.g. by fast market switching) did nothing: it is sent
 * again after a growing wait while still wanted, and the refusal is the stream's `error` until that succeeds.
 */
import type { CandleInterval } from "./api-types";

export type ChannelParams =
  | { channel: "book"; market: string; depth?: number }
  | { channel: "trades"; market: string }
  | { channel: "ticker"; market: string }
  | { channel: "candles"; market: string; interval: CandleInterval }
  | { channel: "account"; address: string }
  | { channel: "markets" };

/** A data message: `channel` plus the channel's own fields (see README, WebSocket). */
export type StreamMessage = { channel: string } & Record<string, unknown>;
export type StreamListener = (message: StreamMessage) => void;
export type StreamStatus = "idle" | "connecting" | "open" | "reconnecting";
export interface StreamError {
  code: string;
  message: string;
  field?: string | null;
}

/** The key the server uses for a channel (`book:WETH-USDC`, `candles:WETH-USDC:1m`, `account:0x...`). */
export function channelKey(params: ChannelParams): string {
  switch (params.channel) {
    case "candles":
      return `candles:${params.market}:${params.interval}`;
    case "account":
      return `account:${params.address.toLowerCase()}`;
    case "markets":
      return "markets"; // every market's state and halt, one channel
    default:
      return `${params.channel}:${params.market}`;
  }
}

/** The channel key an incoming data message belongs to; account messages go to every account key. */
export function messageKey(message: StreamMessage): string | null {
  const { channel, market, interval } = message;
  if (channel === "account") return "account:";
  if (channel === "markets") return "markets";
  if (typeof market !== "string") return null;
  if (channel === "candles") return typeof interval === "string" ? `candles:${market}:${interval}` : null;
  return `${channel}:${market}`;
}

/** The subscribe/unsubscribe frame: only the fields the channel takes (the server refuses others). */
export function channelFrame(op: "subscribe" | "unsubscribe", params: ChannelParams): Record<string, unknown> {
  const { channel } = params;
  switch (params.channel) {
    case "account":
      return { op, channel, address: params.address };
    case "markets":
      return { op, channel };
    case "candles":
      return { op, channel, market: params.market, interval: params.interval };
    case "book":
      return params.depth === undefined ? { op, channel, market: params.market } : { op, channel, market: params.market, depth: params.depth };
    default:
      return { op, channel, market: params.market };
  }
}

interface Channel {
  params: ChannelParams;
  listeners: Set<StreamListener>;
}

/** A frame sent on the current socket, waiting for the server's answer. */
type ChannelFrame = { op: "subscribe" | "unsubscribe"; params: ChannelParams };
type SentFrame = { op: "ping" } | ChannelFrame;

/** The server's answers to a frame, one per frame, in the order the frames came. */
const ANSWERS: ReadonlySet<unknown> = new Set(["pong", "subscribed", "unsubscribed", "error"]);
/** The refusal after which a frame is worth sending again: the address's budget refills with time. */
const RATE_LIMITED = "RATE_LIMITED";
const FIRST_RETRY_MS = 1_000;

export interface StreamClientOptions {
  url: () => string;
  /** The WebSocket class (tests pass a fake). */
  WebSocketImpl?: typeof WebSocket;
  pingIntervalMs?: number;
  /** A socket that has not answered a ping within this is closed and reopened. */
  pongTimeoutMs?: number;
  maxBackoffMs?: number;
  /** The longest wait before sending a refused (un)subscribe again. */
  maxRetryMs?: number;
}

const GAP_BURST_MS = 100; // gap notices this close together are one (a view reads its state once)

export class StreamClient {
  private readonly options: Required<Omit<StreamClientOptions, "WebSocketImpl">> & { WebSocketImpl: typeof WebSocket | undefined };
  private socket: WebSocket | null = null;
  private readonly channels = new Map<string, Channel>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private readonly errorListeners = new Set<(error: StreamError | null) => void>();
  private currentError: StreamError | null = null;
  /** The frames sent on the current socket, oldest first, until the server answers each. */
  private unanswered: SentFrame[] = [];
  /** The (un)subscribes refused for now, by channel key: sent again, while still wanted, by `retryTimer`. */
  private readonly refused = new Map<string, ChannelFrame>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;
  private readonly gapListeners = new Set<(keys: string[]) => void>();
  private gapKeys = new Set<string>();
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private currentStatus: StreamStatus = "idle";
  private attempts = 0;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: StreamClientOptions) {
    this.options = {
      pingIntervalMs: 20_000,
      pongTimeoutMs: 10_000,
      maxBackoffMs: 10_000,
      maxRetryMs: 30_000,
      WebSocketImpl: undefined,
      ...options,
    };
  }

  get status(): StreamStatus {
    return this.currentStatus;
  }

  /** The server's latest refusal still in effect (a channel it refused is still being asked for), or null. */
  get error(): StreamError | null {
    return this.currentError;
  }

  /** Listen to a channel; the returned function stops listening (and unsubscribes after the last listener). */
  subscribe(params: ChannelParams, listener: StreamListener): () => void {
    const key = channelKey(params);
    const held = this.channels.get(key);
    const channel = held ?? { params, listeners: new Set<StreamListener>() };
    this.channels.set(key, channel);
    channel.listeners.add(listener);
    // Once per channel: every frame spends the address's message budget. A book is the exception, asked again for a
    // listener joining late: the book is each listener's own state, built from a snapshot. Other channels' views keep
    // their state where every listener finds it (the query cache).
    if (!held || params.channel === "book") this.sendChannel("subscribe", params);
    this.ensureSocket();
    return () => {
      const current = this.channels.get(key);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        this.channels.delete(key);
        this.sendChannel("unsubscribe", current.params);
      }
    };
  }

  /** Ask again for a channel: the book answers with a fresh snapshot (used after a `seq` gap). */
  resubscribe(params: ChannelParams): void {
    if (this.channels.has(channelKey(params))) this.sendChannel("subscribe", params);
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Hear of `{"op": "gap", "channel": key}`: the server's messages on `key` may have been lost (read its state
   * again). The server tells every channel at once: the keys of one burst come in one call.
   */
  onGap(listener: (keys: string[]) => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /** Hear of each change of `error`: a refusal by the server, and null once what it refused went through. */
  onError(listener: (error: StreamError | null) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Open the socket before anyone listens (at start-up: the first book arrives one round trip sooner). */
  connect(): void {
    this.ensureSocket();
  }

  /** Close for good (tests, page teardown). */
  close(): void {
    this.channels.clear();
    this.clearTimers();
    this.clearRefusals();
    if (this.gapTimer !== null) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.setStatus("idle");
  }

  private ensureSocket(): void {
    if (this.socket || this.reconnectTimer) return;
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const socket = new Impl(this.options.url());
    this.socket = socket;
    this.setStatus(this.attempts === 0 ? "connecting" : "reconnecting");
    socket.onopen = () => {
      this.setStatus("open");
      // A new socket holds no channel: every one is asked for anew, and nothing refused on the old one is pending.
      this.unanswered = [];
      this.clearRefusals();
      for (const channel of this.channels.values()) this.sendChannel("subscribe", channel.params);
      this.startPing();
    };
    socket.onmessage = (event: MessageEvent) => {
      // The backoff starts over once the server says something: a socket it accepts and closes at once (over the
      // address's connection or handshake limit, 1008) must not be reopened every half second.
      this.attempts = 0;
      this.receive(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return; // closed on purpose
      this.socket = null;
      this.clearTimers();
      this.scheduleReconnect();
    };
    socket.onerror = () => socket.close();
  }

  private scheduleReconnect(): void {
    this.setStatus("reconnecting");
    const delay = Math.min(500 * 2 ** this.attempts, this.options.maxBackoffMs);
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.ensureSocket();
    }, delay);
  }

  private startPing(): void {
    this.pingTimer = setInterval(() => {
      if (this.send({ op: "ping" })) this.unanswered.push({ op: "ping" });
      if (this.pongTimer === null) {
        this.pongTimer = setTimeout(() => this.socket?.close(), this.options.pongTimeoutMs);
      }
    }, this.options.pingIntervalMs);
  }

  private clearTimers(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.pingTimer = this.pongTimer = this.reconnectTimer = null;
  }

  /** Send `frame` if the socket is open; whether it was. */
  private send(frame: Record<string, unknown>): boolean {
    // Before the socket opens, nothing is lost: `onopen` subscribes every channel.
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private sendChannel(op: "subscribe" | "unsubscribe", params: ChannelParams): void {
    if (this.send(channelFrame(op, params))) this.unanswered.push({ op, params });
  }

  /** The server answered the oldest frame not yet answered: `error` if it refused it. */
  private answered(error: StreamError | null): void {
    const frame = this.unanswered.shift();
    if (error) {
      this.setError(error);
      if (frame && frame.op !== "ping" && error.code === RATE_LIMITED) this.retryLater(frame);
    } else if (frame && frame.op !== "ping" && this.refused.size === 0 && this.retryTimer === null) {
      this.retries = 0; // the budget has room again
      this.setError(null);
    }
  }

  /** Send refused `frame` again after a wait that doubles with each retry, unless no longer wanted by then. */
  private retryLater(frame: ChannelFrame): void {
    this.refused.set(channelKey(frame.params), frame);
    if (this.retryTimer !== null) return;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.retries, this.options.maxRetryMs);
    this.retries += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const frames = [...this.refused];
      this.refused.clear();
      for (const [key, { op, params }] of frames) {
        if (this.channels.has(key) === (op === "subscribe")) this.sendChannel(op, params);
      }
    }, delay);
  }

  private clearRefusals(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.refused.clear();
    this.retries = 0;
    this.setError(null);
  }

  private setError(error: StreamError | null): void {
    if (error === this.currentError) return;
    this.currentError = error;
    for (const listener of this.errorListeners) listener(error);
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    if (ANSWERS.has(message.op)) {
      if (message.op === "pong") {
        if (this.pongTimer !== null) clearTimeout(this.pongTimer);
        this.pongTimer = null;
      }
      this.answered(message.op === "error" ? (message.error as StreamError) : null);
      return;
    }
    if (message.op === "gap" && typeof message.channel === "string") {
      // A book starts again from a fresh snapshot; every other view reads its state again (its gap listeners).
      const gapped = this.channels.get(message.channel);
      if (gapped?.params.channel === "book") this.send(channelFrame("subscribe", gapped.params));
      this.gapKeys.add(message.channel);
      this.gapTimer ??= setTimeout(() => {
        const keys = [...this.gapKeys];
        this.gapKeys = new Set();
        this.gapTimer = null;
        for (const listener of this.gapListeners) listener(keys);
      }, GAP_BURST_MS);
      return;
    }
    if (typeof message.channel !== "string" || typeof message.op === "string") return; // acknowledgements
    const key = messageKey(message as StreamMessage);
    if (key === null) return;
    for (const [channelKeyText, channel] of this.channels) {
      if (channelKeyText === key || (key === "account:" && channelKeyText.startsWith(key))) {
        for (const listener of [...channel.listeners]) listener(message as StreamMessage);
      }
    }
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

function defaultUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/v1/ws`;
}

/** The app's one stream. */
export const stream = new StreamClient({ url: defaultUrl });
