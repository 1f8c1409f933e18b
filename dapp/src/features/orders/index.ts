export { AccountTabs } from "./account-tabs";
export { useOpenOrders, type OpenOrderLine } from "./account-orders";
export { reasonText } from "./order-words";
