import { Button, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { Export } from '../api/types.js';

/** The content of the delete dialog: what goes with the export, and what stays at the destination. */
export function DeleteExportDialog({ exp, onDeleted, onCancel }: { exp: Export; onDeleted: () => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    // With the ETag read: someone else's change in between is a 412, not silently deleted.
    mutationFn: () => unwrap(api.DELETE('/exports/{id}', { params: { path: { id: exp.id } }, headers: { 'If-Match': exp.etag ?? '*' } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.exports, exact: true });
      onDeleted();
    },
  });
  return (
    <DialogSurface>
      <DialogBody>
        <DialogTitle>Delete “{exp.name}”?</DialogTitle>
        <DialogContent>
          <p>Its run history, webhooks and membership ledgers are deleted with it. The audiences at the destination stay as they are.</p>
          {remove.error ? (
            <MessageBar intent="error">
              <MessageBarBody>{remove.error.message}</MessageBarBody>
            </MessageBar>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button appearance="primary" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete export
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </DialogActions>
      </DialogBody>
    </DialogSurface>
  );
}
