export { AccountTabs } from "./account-tabs";
export { cachedOpenOrder, useOpenOrders, type OpenOrderLine } from "./account-orders";
export { reasonText } from "./order-words";
