import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { ReactNode } from 'react';

/**
 * Asks before an action that cannot be taken back. Callers mount it from its first opening
 * and close it through `open`, never by unmounting it while open: that would leave the page
 * hidden from assistive technology.
 */
export function ConfirmDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  busy: boolean;
  error?: Error | null;
}) {
  return (
    <Dialog open={props.open} onOpenChange={(_, data) => props.onOpenChange(data.open)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogContent>
            {props.children}
            {props.error ? (
              <MessageBar intent="error">
                <MessageBarBody>{props.error.message}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={props.onConfirm} disabled={props.busy}>
              {props.confirmLabel}
            </Button>
            <Button onClick={() => props.onOpenChange(false)}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
