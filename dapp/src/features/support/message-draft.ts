/**
 * A message being written with an optional file (the wallet's reply, staff's answer), and what is left of it once
 * a send succeeds: only what was sent goes; text typed and a file picked while it was on its way stay.
 */
import { useState } from "react";
import { unsentRest } from "../../lib/drafts";

export interface MessageDraft {
  body: string;
  attachment: File | null;
  /** Changes when the file input must be made anew: a file input is not cleared by state. */
  picker: number;
}

export type SentMessage = Pick<MessageDraft, "body" | "attachment">;

export const EMPTY_DRAFT: MessageDraft = { body: "", attachment: null, picker: 0 };

export function afterSend(now: MessageDraft, sent: SentMessage): MessageDraft {
  const fileSent = sent.attachment !== null && now.attachment === sent.attachment;
  return {
    body: unsentRest(now.body, sent.body),
    attachment: fileSent ? null : now.attachment,
    picker: fileSent ? now.picker + 1 : now.picker,
  };
}

export function useMessageDraft() {
  const [draft, setDraft] = useState(EMPTY_DRAFT);
  return {
    draft,
    setBody: (body: string) => setDraft((now) => ({ ...now, body })),
    setAttachment: (attachment: File | null) => setDraft((now) => ({ ...now, attachment })),
    sent: (message: SentMessage) => setDraft((now) => afterSend(now, message)),
  };
}
