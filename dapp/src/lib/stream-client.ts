/**
 * One WebSocket to `/v1/ws` shared by every live view. Listeners subscribe to channels; the client
 * counts them per channel, unsubscribes on the server after the last one leaves, replays every subscription after a
 * reconnect (the book then starts again from a snapshot), pings to notice a dead socket, and lets a
 * listener ask for a fresh snapshot when it sees a `seq` gap. A gap the server reports (`{"op": "gap"}`) gets a
 * book a fresh snapshot, and is told to gap listeners so other views read their state again.
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

export interface StreamClientOptions {
  url: () => string;
  /** The WebSocket class (tests pass a fake). */
  WebSocketImpl?: typeof WebSocket;
  pingIntervalMs?: number;
  /** A socket that has not answered a ping within this is closed and reopened. */
  pongTimeoutMs?: number;
  maxBackoffMs?: number;
}

const GAP_BURST_MS = 100; // gap notices this close together are one (a view reads its state once)

export class StreamClient {
  private readonly options: Required<Omit<StreamClientOptions, "WebSocketImpl">> & { WebSocketImpl: typeof WebSocket | undefined };
  private socket: WebSocket | null = null;
  private readonly channels = new Map<string, Channel>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private readonly errorListeners = new Set<(error: StreamError) => void>();
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
      WebSocketImpl: undefined,
      ...options,
    };
  }

  get status(): StreamStatus {
    return this.currentStatus;
  }

  /** Listen to a channel; the returned function stops listening (and unsubscribes after the last listener). */
  subscribe(params: ChannelParams, listener: StreamListener): () => void {
    const key = channelKey(params);
    let channel = this.channels.get(key);
    if (!channel) {
      channel = { params, listeners: new Set() };
      this.channels.set(key, channel);
    }
    channel.listeners.add(listener);
    // Also for a channel already open: the server answers each subscribe with the channel's first
    // message (book snapshot, ticker, current candle), which a listener joining late needs too.
    this.send(channelFrame("subscribe", params));
    this.ensureSocket();
    return () => {
      const current = this.channels.get(key);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        this.channels.delete(key);
        this.send(channelFrame("unsubscribe", current.params));
      }
    };
  }

  /** Ask again for a channel: the book answers with a fresh snapshot (used after a `seq` gap). */
  resubscribe(params: ChannelParams): void {
    if (this.channels.has(channelKey(params))) this.send(channelFrame("subscribe", params));
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

  onError(listener: (error: StreamError) => void): () => void {
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
      for (const channel of this.channels.values()) this.send(channelFrame("subscribe", channel.params));
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
      this.send({ op: "ping" });
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

  private send(frame: Record<string, unknown>): void {
    // Before the socket opens, nothing is lost: `onopen` subscribes every channel.
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    if (message.op === "pong") {
      if (this.pongTimer !== null) clearTimeout(this.pongTimer);
      this.pongTimer = null;
      return;
    }
    if (message.op === "error") {
      const error = message.error as StreamError;
      for (const listener of this.errorListeners) listener(error);
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
