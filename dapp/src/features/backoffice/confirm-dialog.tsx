/** A dialog that asks before a staff action (withdraw an announcement, delete an article): the app's ConfirmDialog
 *  with the staff error of the last attempt in it; ReasonDialog adds the reason. */
import { ConfirmDialog as AskFirst, type ConfirmDialogProps as AskFirstProps } from "../../components/ui";
import { StaffErrorAlert } from "./staff-error-alert";

export interface ConfirmDialogProps extends Omit<AskFirstProps, "pending"> {
  pending: boolean;
  error: unknown;
}

export function ConfirmDialog({ children, error, ...asked }: ConfirmDialogProps) {
  return (
    <AskFirst {...asked}>
      <div className="staff-form">
        {children}
        <StaffErrorAlert error={error} />
      </div>
    </AskFirst>
  );
}
