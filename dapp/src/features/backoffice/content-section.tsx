/**
 * A section of what staff publish for users (announcements, help articles): the editor on top, the items in a
 * table below, Edit to load one into the editor, and taking one down (withdraw, delete) after a confirmation.
 */
import { useMutation } from "@tanstack/react-query";
import { Fragment, useState, type ReactNode } from "react";
import { LoadMore, type Column, type PagedQuery } from "../../components/ui";
import { ConfirmDialog } from "./confirm-dialog";
import { QueryTable, type TableQuery } from "./query-table";

interface Item {
  id: number;
}

/** What an item's buttons do to the section, and whether the item is the one open in the editor. */
export interface ItemActions<T> {
  edit(item: T): void;
  takeDown(item: T): void;
  isEditing(item: T): boolean;
}

interface ContentSectionProps<T extends Item, Taken> {
  title: string;
  /** The editor of `editing` (null: a new item); `done` goes back to a new one. */
  editor(editing: T | null, done: () => void): ReactNode;
  /** Between the editor and the table (a search field). */
  filters?: ReactNode;
  table: {
    label: string;
    query: TableQuery;
    rows: readonly T[] | undefined;
    columns(actions: ItemActions<T>): Column<T>[];
    empty: string;
    /** A paged list: its next page under the table. */
    more?: PagedQuery;
  };
  takeDown: {
    run(item: T): Promise<Taken>;
    onDone(taken: Taken): void;
    /** The confirmation's title, its button and its text. */
    title(item: T): string;
    confirm: string;
    text: string;
  };
}

export function ContentSection<T extends Item, Taken>({ title, editor, filters, table, takeDown }: ContentSectionProps<T, Taken>) {
  const [editing, setEditing] = useState<T | null>(null);
  const [confirming, setConfirming] = useState<T | null>(null);
  const remove = useMutation({
    mutationFn: (item: T) => takeDown.run(item),
    onSuccess: (taken, item) => {
      setConfirming(null);
      if (editing?.id === item.id) setEditing(null);
      takeDown.onDone(taken);
    },
  });

  return (
    <section className="backoffice-section">
      <h2>{title}</h2>
      {/* a fresh editor for each item, so no half-typed change carries over */}
      <Fragment key={editing?.id ?? "new"}>{editor(editing, () => setEditing(null))}</Fragment>
      {filters}
      <QueryTable
        label={table.label}
        query={table.query}
        rows={table.rows}
        columns={table.columns({ edit: setEditing, takeDown: setConfirming, isEditing: (item) => editing?.id === item.id })}
        rowKey={(item) => String(item.id)}
        empty={table.empty}
      />
      {table.more ? <LoadMore query={table.more} /> : null}
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? takeDown.title(confirming) : ""}
        confirm={takeDown.confirm}
        danger
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => confirming && remove.mutate(confirming)}
        onClose={() => {
          setConfirming(null);
          remove.reset();
        }}
      >
        <p>{takeDown.text}</p>
      </ConfirmDialog>
    </section>
  );
}
