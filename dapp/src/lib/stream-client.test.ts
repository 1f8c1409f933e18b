import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { channelFrame, channelKey, StreamClient, type StreamMessage } from "./stream-client";

/** A WebSocket stand-in: records frames, lets the test open, close and answer. */
class FakeSocket {
  static sockets: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.sockets.push(this);
  }
  send(frame: string) {
    this.sent.push(JSON.parse(frame) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function latest(): FakeSocket {
  const socket = FakeSocket.sockets.at(-1);
  if (!socket) throw new Error("no socket");
  return socket;
}

function client(pingIntervalMs = 1_000): StreamClient {
  return new StreamClient({ url: () => "ws://test/v1/ws", WebSocketImpl: FakeSocket as unknown as typeof WebSocket, pingIntervalMs, pongTimeoutMs: 500 });
}

/** A client that pings once a minute: the answers a test gives are to its (un)subscribes alone. */
const quietClient = () => client(60_000);

beforeEach(() => {
  FakeSocket.sockets = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("channel frames", () => {
  it("name the server's channel keys and send only the fields each channel takes", () => {
    expect(channelKey({ channel: "candles", market: "WETH-USDC", interval: "5m" })).toBe("candles:WETH-USDC:5m");
    expect(channelKey({ channel: "account", address: "0xABC" })).toBe("account:0xabc");
    expect(channelFrame("subscribe", { channel: "book", market: "M" })).toEqual({ op: "subscribe", channel: "book", market: "M" });
    expect(channelFrame("unsubscribe", { channel: "account", address: "0xA" })).toEqual({ op: "unsubscribe", channel: "account", address: "0xA" });
  });
});

describe("StreamClient", () => {
  it("subscribes each channel once when the socket opens and unsubscribes after the last listener", () => {
    const stream = client();
    const stopA = stream.subscribe({ channel: "trades", market: "M" }, () => undefined);
    const stopB = stream.subscribe({ channel: "trades", market: "M" }, () => undefined);
    latest().open();
    expect(latest().sent).toEqual([{ op: "subscribe", channel: "trades", market: "M" }]);
    stopA();
    expect(latest().sent).toHaveLength(1);
    stopB();
    expect(latest().sent.at(-1)).toEqual({ op: "unsubscribe", channel: "trades", market: "M" });
  });

  it("asks again when a listener joins an open channel, so it gets the first message (a book snapshot)", () => {
    const stream = client();
    stream.subscribe({ channel: "book", market: "M" }, () => undefined);
    latest().open();
    const late: StreamMessage[] = [];
    stream.subscribe({ channel: "book", market: "M" }, (m) => late.push(m));
    expect(latest().sent).toEqual([
      { op: "subscribe", channel: "book", market: "M" },
      { op: "subscribe", channel: "book", market: "M" },
    ]);
    latest().receive({ channel: "book", market: "M", type: "snapshot", seq: 5, bids: [], asks: [] });
    expect(late).toHaveLength(1);
  });

  it("routes data messages to the listeners of their channel only", () => {
    const stream = client();
    const book: StreamMessage[] = [];
    const candles: StreamMessage[] = [];
    const account: StreamMessage[] = [];
    stream.subscribe({ channel: "book", market: "M" }, (m) => book.push(m));
    stream.subscribe({ channel: "candles", market: "M", interval: "1m" }, (m) => candles.push(m));
    stream.subscribe({ channel: "account", address: "0xA" }, (m) => account.push(m));
    latest().open();
    latest().receive({ op: "subscribed", channel: "book:M" });
    latest().receive({ channel: "book", market: "M", type: "delta", seq: 2 });
    latest().receive({ channel: "book", market: "other", type: "delta", seq: 2 });
    latest().receive({ channel: "candles", market: "M", interval: "5m" });
    latest().receive({ channel: "candles", market: "M", interval: "1m" });
    latest().receive({ channel: "account", type: "fill" });
    expect([book.length, candles.length, account.length]).toEqual([1, 1, 1]);
  });

  it("reconnects after the socket drops and subscribes every channel again", () => {
    const stream = client();
    const statuses: string[] = [];
    stream.onStatus((s) => statuses.push(s));
    stream.subscribe({ channel: "book", market: "M", depth: 20 }, () => undefined);
    const first = latest();
    first.open();
    first.close();
    expect(stream.status).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    const second = latest();
    expect(second).not.toBe(first);
    second.open();
    expect(second.sent).toEqual([{ op: "subscribe", channel: "book", market: "M", depth: 20 }]);
    expect(statuses).toEqual(["connecting", "open", "reconnecting", "open"]);
  });

  it("backs off while the server closes each socket it opened without a word, and starts over once it speaks", () => {
    const stream = client();
    stream.subscribe({ channel: "ticker", market: "M" }, () => undefined);
    const refusedAfter = (delay: number) => {
      latest().open();
      latest().close(); // accepted, then closed with 1008: over the address's limits
      const sockets = FakeSocket.sockets.length;
      vi.advanceTimersByTime(delay - 1);
      expect(FakeSocket.sockets).toHaveLength(sockets);
      vi.advanceTimersByTime(1);
      expect(FakeSocket.sockets).toHaveLength(sockets + 1);
    };
    refusedAfter(500);
    refusedAfter(1_000);
    refusedAfter(2_000);
    latest().open();
    latest().receive({ op: "subscribed", channel: "ticker", market: "M" });
    latest().close();
    vi.advanceTimersByTime(500);
    expect(stream.status).toBe("reconnecting");
    expect(FakeSocket.sockets).toHaveLength(5);
  });

  it("asks for a channel again on resubscribe (a fresh book snapshot after a seq gap)", () => {
    const stream = client();
    stream.subscribe({ channel: "book", market: "M" }, () => undefined);
    latest().open();
    stream.resubscribe({ channel: "book", market: "M" });
    expect(latest().sent).toEqual([
      { op: "subscribe", channel: "book", market: "M" },
      { op: "subscribe", channel: "book", market: "M" },
    ]);
  });

  it("on a gap the server reports, asks a book for a fresh snapshot and tells gap listeners, never data listeners", () => {
    const stream = client();
    const data: StreamMessage[] = [];
    const gaps: string[][] = [];
    stream.onGap((keys) => gaps.push(keys));
    stream.subscribe({ channel: "book", market: "M" }, (m) => data.push(m));
    stream.subscribe({ channel: "account", address: "0xAbC" }, (m) => data.push(m));
    latest().open();
    latest().receive({ op: "gap", channel: "account:0xAbC" });
    latest().receive({ op: "gap", channel: "book:M" });
    expect(gaps).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(gaps).toEqual([["account:0xAbC", "book:M"]]); // one burst: views read their state once
    expect(latest().sent).toEqual([
      { op: "subscribe", channel: "book", market: "M" },
      { op: "subscribe", channel: "account", address: "0xAbC" },
      { op: "subscribe", channel: "book", market: "M" }, // the book only: the account view reads REST again
    ]);
    expect(data).toEqual([]);
  });

  it("pings, and replaces a socket that stops answering", () => {
    const stream = client();
    stream.subscribe({ channel: "ticker", market: "M" }, () => undefined);
    const socket = latest();
    socket.open();
    vi.advanceTimersByTime(1_000);
    expect(socket.sent.at(-1)).toEqual({ op: "ping" });
    socket.receive({ op: "pong" });
    vi.advanceTimersByTime(1_000); // answered: the next ping goes out, the socket stays
    expect(FakeSocket.sockets).toHaveLength(1);
    vi.advanceTimersByTime(500); // not answered within the timeout
    expect(socket.readyState).toBe(3);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.sockets).toHaveLength(2);
  });

  it("subscribes other channels once, however many listeners join: each frame spends the address's budget", () => {
    const stream = client();
    stream.subscribe({ channel: "ticker", market: "M" }, () => undefined);
    latest().open();
    stream.subscribe({ channel: "ticker", market: "M" }, () => undefined);
    stream.subscribe({ channel: "account", address: "0xA" }, () => undefined);
    stream.subscribe({ channel: "account", address: "0xA" }, () => undefined);
    expect(latest().sent).toEqual([
      { op: "subscribe", channel: "ticker", market: "M" },
      { op: "subscribe", channel: "account", address: "0xA" },
    ]);
  });

  it("asks again, after a growing wait, for a book resync refused as rate limited, until the server takes it", () => {
    const stream = quietClient();
    const errors: unknown[] = [];
    stream.onError((e) => errors.push(e));
    const params = { channel: "book", market: "M" } as const;
    stream.subscribe(params, () => undefined);
    const socket = latest();
    socket.open();
    socket.receive({ op: "subscribed", channel: "book:M" });
    const subscribes = () => socket.sent.filter((frame) => frame.op === "subscribe").length;
    const limited = { code: "RATE_LIMITED", message: "slow down", field: "op" };
    stream.resubscribe(params); // a seq gap
    socket.receive({ op: "error", error: limited });
    expect(stream.error).toEqual(limited);
    vi.advanceTimersByTime(999);
    expect(subscribes()).toBe(2);
    vi.advanceTimersByTime(1);
    expect(subscribes()).toBe(3);
    socket.receive({ op: "error", error: limited }); // refused again: twice the wait
    vi.advanceTimersByTime(1_999);
    expect(subscribes()).toBe(3);
    vi.advanceTimersByTime(1);
    expect(subscribes()).toBe(4);
    socket.receive({ op: "subscribed", channel: "book:M" });
    expect(stream.error).toBeNull();
    expect(errors).toEqual([limited, limited, null]); // each refusal told, then that it went through
  });

  it("matches each answer to its frame in order, and asks again only for what is still wanted", () => {
    const stream = quietClient();
    const stopTrades = stream.subscribe({ channel: "trades", market: "A" }, () => undefined);
    stream.subscribe({ channel: "trades", market: "B" }, () => undefined);
    const socket = latest();
    socket.open();
    const limited = { op: "error", error: { code: "RATE_LIMITED", message: "slow down", field: "op" } };
    socket.receive({ op: "subscribed", channel: "trades:A" });
    socket.receive(limited); // the second frame: B's subscribe
    stopTrades();
    socket.receive(limited); // A's unsubscribe: the server still sends A
    const stopC = stream.subscribe({ channel: "trades", market: "C" }, () => undefined);
    socket.receive(limited); // C's subscribe, which nobody wants by the time it could go again
    stopC();
    socket.receive({ op: "unsubscribed", channel: "trades:C" });
    socket.sent.length = 0;
    vi.advanceTimersByTime(1_000);
    expect(socket.sent).toEqual([
      { op: "subscribe", channel: "trades", market: "B" },
      { op: "unsubscribe", channel: "trades", market: "A" },
    ]);
  });

  it("passes server errors to error listeners", () => {
    const stream = client();
    const errors: unknown[] = [];
    stream.onError((e) => errors.push(e));
    stream.subscribe({ channel: "ticker", market: "nope" }, () => undefined);
    latest().open();
    latest().receive({ op: "error", error: { code: "UNKNOWN_MARKET", message: "no such market", field: "market" } });
    expect(errors).toEqual([{ code: "UNKNOWN_MARKET", message: "no such market", field: "market" }]);
  });
});
