export { OrderForm } from "./order-form";
export { tradingErrorText } from "./error-text";
export { KIND_LABEL, kindOfFlags } from "./rules";
export { SignedSubmission } from "./signed-submission";
export { useResending } from "./use-resending";
