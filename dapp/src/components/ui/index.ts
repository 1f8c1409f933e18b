export { DataTable, type Column } from "./data-table";
export { Dialog } from "./dialog";
export { Field } from "./field";
export { StatusMessage } from "./status-message";
export { Tabs, type TabItem } from "./tabs";
export { ToastProvider, useToast, type ToastInput, type ToastKind } from "./toast";
export { downloadText, toCsv } from "./csv";
