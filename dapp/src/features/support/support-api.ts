/**
 * The signed-in wallet's tickets (`/v1/support/tickets`). Every call rides the SIWE session cookie; without it
 * the API answers 401 NOT_SIGNED_IN. Another wallet's ticket is 404 TICKET_NOT_FOUND.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import { showChanged } from "../../lib/query-client";
import { jsonOrMultipart, withAttachment } from "./message-body";
import type { Category, TicketStatus } from "./support-logic";

export interface Ticket {
  id: number;
  category: Category;
  /** As typed: shown as text. */
  subject: string;
  status: TicketStatus;
  createdAt: number;
  updatedAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  firstResponseMs: number | null;
  resolutionMs: number | null;
}

export interface Attachment {
  id: number;
  contentType: string;
  size: number;
}

export interface Message {
  id: number;
  sender: "you" | "support";
  /** The Markdown as typed. */
  body: string;
  /** Rendered and sanitized by the server (backend/markup.py): the only HTML the page inserts. */
  html: string;
  createdAt: number;
  attachments: Attachment[];
}

export interface TicketDetail {
  ticket: Ticket;
  messages: Message[];
}

export interface TicketPage {
  tickets: Ticket[];
  next: string | null;
}

export interface NewTicket {
  category: Category;
  subject: string;
  message: string;
  attachment: File | null;
}

export interface NewReply {
  body: string;
  attachment: File | null;
}

const TICKETS = "/v1/support/tickets";

export const supportApi = {
  tickets: (cursor: string | null) => api.get<TicketPage>(TICKETS, { query: { limit: 20, cursor } }),
  ticket: (id: number) => api.get<TicketDetail>(`${TICKETS}/${id}`),
  /** multipart/form-data, as the API's field names say; the attachment only if one was picked. */
  open: (ticket: NewTicket) =>
    api.post<TicketDetail>(TICKETS, withAttachment({ category: ticket.category, subject: ticket.subject.trim(), message: ticket.message }, ticket.attachment)),
  /** JSON, or multipart/form-data when a file was picked (the same `body` field and the `attachment`). */
  reply: (id: number, reply: NewReply) =>
    api.post<TicketDetail>(`${TICKETS}/${id}/replies`, jsonOrMultipart({ body: reply.body }, reply.attachment)),
  close: (id: number) => api.post<TicketDetail>(`${TICKETS}/${id}/close`),
  /** A file of the ticket's conversation (the wallet's own or one of support's public replies). */
  attachment: (ticketId: number, attachmentId: number) => api.download(`${TICKETS}/${ticketId}/attachments/${attachmentId}`),
};

export const supportKeys = {
  all: (address: string | null) => ["support", address] as const,
  list: (address: string | null) => [...supportKeys.all(address), "list"] as const,
  ticket: (address: string | null, id: number | null) => [...supportKeys.all(address), "ticket", id] as const,
};

/** The wallet's tickets, newest first, page by page; nothing is asked while `address` is null. */
export function useTickets(address: string | null) {
  return useInfiniteQuery({
    queryKey: supportKeys.list(address),
    queryFn: ({ pageParam }) => supportApi.tickets(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled: address !== null,
  });
}

export function useTicket(address: string | null, id: number | null) {
  return useQuery({
    queryKey: supportKeys.ticket(address, id),
    queryFn: () => supportApi.ticket(id as number),
    enabled: address !== null && id !== null,
    staleTime: 0, // opened again, a ticket is read again: replies may have come
    refetchInterval: 15_000, // replies arrive while the page is open
  });
}

/** A change to a ticket (open, reply, close): the answer is the ticket as it is now, and the list is read again. */
export function useTicketChange<Input>(address: string | null, change: (input: Input) => Promise<TicketDetail>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (detail) => {
      void showChanged(queryClient, supportKeys.ticket(address, detail.ticket.id), detail);
      void queryClient.invalidateQueries({ queryKey: supportKeys.list(address) });
    },
  });
}
