export { DailyChart, dayTime, type DailyPoint, type DailySeries } from "./daily-chart";
export { DataTable, type Column } from "./data-table";
export { Dialog } from "./dialog";
export { Field, SelectField, TextAreaField } from "./field";
export { Meter } from "./meter";
export { StatusMessage } from "./status-message";
export { Tabs, type TabItem } from "./tabs";
export { ToastProvider, useToast, type ToastInput, type ToastKind } from "./toast";
export { downloadBlob, downloadText, toCsv } from "./csv";
