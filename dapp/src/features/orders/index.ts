export { AccountTabs } from "./account-tabs";
export { cachedOpenOrder, useAccountOpenOrders, useOpenOrders, type OpenOrderLine } from "./account-orders";
export { reasonText } from "./order-words";
