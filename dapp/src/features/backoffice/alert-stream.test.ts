import { afterEach, describe, expect, it, vi } from "vitest";
import { connectAlertStream, type AlertStreamStatus, type EventSourceLike } from "./alert-stream";
import { ALERT_STREAM_URL } from "./staff-api";
import type { Alert } from "./staff-types";

class FakeEventSource implements EventSourceLike {
  static made: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((event: Event) => unknown) | null = null;
  onerror: ((event: Event) => unknown) | null = null;
  closed = false;
  readonly listeners = new Map<string, (event: MessageEvent) => void>();
  constructor(
    readonly url: string,
    readonly init: { withCredentials: boolean },
  ) {
    FakeEventSource.made.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.(new Event("error"));
  }
  send(type: string, data: string) {
    this.listeners.get(type)?.({ data } as MessageEvent);
  }
}

function connect() {
  FakeEventSource.made = [];
  const seen = { alerts: [] as Alert[], statuses: [] as AlertStreamStatus[], resyncs: 0 };
  const stop = connectAlertStream((url, init) => new FakeEventSource(url, init), {
    onAlert: (alert) => seen.alerts.push(alert),
    onStatus: (status) => seen.statuses.push(status),
    onResync: () => (seen.resyncs += 1),
  }, 1_000);
  return { seen, stop };
}

const ALERT = { id: 4, kind: "feed.stale", severity: "critical", subject: "market:WETH-USDC", message: "stale", details: {}, status: "open", caseId: null, occurrences: 1, createdAt: 1, lastSeenAt: 1 };

afterEach(() => vi.useRealTimers());

describe("the live alert stream", () => {
  it("opens the staff stream with the session's cookie and passes on each alert event", () => {
    const { seen } = connect();
    const source = FakeEventSource.made[0]!;
    expect([source.url, source.init.withCredentials]).toEqual([ALERT_STREAM_URL, true]);
    source.open();
    source.send("alert", JSON.stringify(ALERT));
    source.send("alert", "{broken");
    expect(seen.alerts.map((a) => a.id)).toEqual([4]);
    expect(seen.statuses).toEqual(["connecting", "live"]);
  });

  it("says it is down while the browser reconnects, and reads the list again once it is back", () => {
    const { seen } = connect();
    const source = FakeEventSource.made[0]!;
    source.open();
    source.fail(0); // CONNECTING: the browser retries by itself
    expect(seen.statuses.at(-1)).toBe("down");
    source.open();
    expect(seen.statuses.at(-1)).toBe("live");
    expect(seen.resyncs).toBe(2);
    expect(FakeEventSource.made).toHaveLength(1);
  });

  it("opens a new stream later when the browser gave up on it (a 403, an API restart)", () => {
    vi.useFakeTimers();
    const { seen, stop } = connect();
    FakeEventSource.made[0]!.fail(2);
    expect(seen.statuses.at(-1)).toBe("down");
    expect(FakeEventSource.made[0]!.closed).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.made).toHaveLength(2);
    stop();
    expect(FakeEventSource.made[1]!.closed).toBe(true);
    FakeEventSource.made[1]!.fail(2);
    vi.advanceTimersByTime(5_000);
    expect(FakeEventSource.made).toHaveLength(2);
  });
});
