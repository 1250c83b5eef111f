import {
  Badge,
  Button,
  Dialog,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from './ConfirmDialog.js';
import { api, unwrap } from '../api/client.js';
import { keys, useWebhooks } from '../api/queries.js';
import type { Webhook, WebhookTestResult } from '../api/types.js';
import { formatTime } from './format.js';
import { Section } from './Section.js';
import { WebhookForm } from './WebhookForm.js';
import { formatLabels, outcomeLabels } from './webhook-labels.js';

/** What the receiver made of a sample notification, in words. */
export function testOutcome(result: WebhookTestResult): string {
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  const status = result.status === undefined ? '' : `HTTP ${result.status}, `;
  return result.delivered ? `Test delivered (${status}${attempts})` : `Test not delivered (${status}${attempts})${result.error ? `: ${result.error}` : ''}`;
}

/** An export's run notification webhooks: list, send a test, change, remove, add. */
export function WebhooksPanel({ exportId }: { exportId: string }) {
  const webhooks = useWebhooks(exportId);
  const queryClient = useQueryClient();
  const [tests, setTests] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<{ webhook: Webhook; open: boolean }>();
  const [removing, setRemoving] = useState<{ webhook: Webhook; open: boolean }>();
  const [notice, setNotice] = useState<string>();

  const test = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/exports/{id}/webhooks/{webhookId}/test', { params: { path: { id: exportId, webhookId: id } } })),
    onSuccess: (result, id) => setTests((t) => ({ ...t, [id]: testOutcome(result) })),
    onError: (error, id) => setTests((t) => ({ ...t, [id]: `Test could not be sent: ${error.message}` })),
  });
  const remove = useMutation({
    mutationFn: (webhook: Webhook) => unwrap(api.DELETE('/exports/{id}/webhooks/{webhookId}', { params: { path: { id: exportId, webhookId: webhook.id } } })),
    onSuccess: async (_, webhook) => {
      await queryClient.invalidateQueries({ queryKey: keys.webhooks(exportId) });
      setRemoving((r) => r && { ...r, open: false });
      setNotice(`Webhook “${webhook.name}” removed.`);
    },
  });

  return (
    <>
      <p>Each webhook hears of the runs that end with the outcomes it asks for. Deliveries are retried and never change a run.</p>
      {notice ? (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {webhooks.isPending ? (
        <Spinner size="small" label="Loading webhooks" />
      ) : webhooks.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{webhooks.error.message}</MessageBarBody>
        </MessageBar>
      ) : webhooks.data.length === 0 ? (
        <p>No webhooks yet.</p>
      ) : (
        <Table aria-label="Webhooks">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Format</TableHeaderCell>
              <TableHeaderCell>Outcomes</TableHeaderCell>
              <TableHeaderCell>URL</TableHeaderCell>
              <TableHeaderCell>Signing key</TableHeaderCell>
              <TableHeaderCell>Added</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {webhooks.data.map((w) => (
              <TableRow key={w.id}>
                <TableCell>{w.name}</TableCell>
                <TableCell>{formatLabels[w.format]}</TableCell>
                <TableCell>{w.outcomes.map((o) => outcomeLabels[o]).join(', ')}</TableCell>
                <TableCell>
                  <Badge appearance="tint" color="success">
                    set
                  </Badge>{' '}
                  {formatTime(w.url.updatedAt)}
                </TableCell>
                <TableCell>{w.signingKey.set ? <Badge appearance="tint" color="success">set</Badge> : 'not signed'}</TableCell>
                <TableCell>
                  {w.createdBy.userDetails || w.createdBy.userId}, {formatTime(w.createdAt)}
                </TableCell>
                <TableCell>
                  <Button size="small" onClick={() => test.mutate(w.id)} disabled={test.isPending && test.variables === w.id} aria-label={`Send a test to ${w.name}`}>
                    {test.isPending && test.variables === w.id ? 'Sending…' : 'Send test'}
                  </Button>{' '}
                  <Button size="small" onClick={() => setEditing({ webhook: w, open: true })} aria-label={`Edit webhook ${w.name}`}>
                    Edit
                  </Button>{' '}
                  <Button size="small" onClick={() => setRemoving({ webhook: w, open: true })} aria-label={`Remove webhook ${w.name}`}>
                    Remove
                  </Button>
                  <div aria-live="polite">{tests[w.id] ?? ''}</div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Section title="Add a webhook" level={3}>
        <WebhookForm exportId={exportId} onDone={(saved) => setNotice(saved ? `Webhook “${saved.name}” added.` : undefined)} />
      </Section>
      {/* Dialogs close through `open`, never by unmounting while open: that would leave the page hidden from assistive technology. */}
      {editing ? (
        <Dialog open={editing.open} onOpenChange={(_, data) => setEditing({ ...editing, open: data.open })}>
          <DialogSurface>
            <DialogBody>
              <DialogTitle>Edit webhook “{editing.webhook.name}”</DialogTitle>
              <DialogContent>
                <WebhookForm
                  key={editing.webhook.id}
                  exportId={exportId}
                  existing={editing.webhook}
                  onDone={(saved) => {
                    setEditing({ ...editing, open: false });
                    if (saved) setNotice(`Webhook “${saved.name}” saved.`);
                  }}
                />
              </DialogContent>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
      {removing ? (
        <ConfirmDialog
          open={removing.open}
          onOpenChange={(open) => setRemoving({ ...removing, open })}
          title={`Remove webhook “${removing.webhook.name}”?`}
          confirmLabel="Remove webhook"
          onConfirm={() => remove.mutate(removing.webhook)}
          busy={remove.isPending}
          error={remove.error}
        >
          <p>Its URL and signing key are deleted; runs no longer notify it.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
