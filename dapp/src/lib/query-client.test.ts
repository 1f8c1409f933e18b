import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { showChanged } from "./query-client";

describe("the answer of a change", () => {
  it("stays shown when a poll sent before the change answers after it", async () => {
    const client = new QueryClient();
    const key = ["ticket", 1];
    let answerPoll: (messages: string[]) => void = () => undefined;
    const observer = new QueryObserver(client, {
      queryKey: key,
      queryFn: () => new Promise<string[]>((resolve) => (answerPoll = resolve)),
    });
    const unsubscribe = observer.subscribe(() => undefined); // the page, polling: a read is on its way
    await showChanged(client, key, ["question", "reply"]);
    answerPoll(["question"]); // read before the reply was stored
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(client.getQueryData(key)).toEqual(["question", "reply"]);
    unsubscribe();
  });
});
