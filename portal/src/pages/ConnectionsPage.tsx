import {
  Badge,
  Button,
  Dialog,
  DialogActions,
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
import { useLocation } from 'react-router';
import { api, ApiError, unwrap } from '../api/client.js';
import { keys, useConnections, useDestinations, useExports } from '../api/queries.js';
import type { Connection } from '../api/types.js';
import { useIdentity } from '../auth/identity.js';
import { formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';

/** A test the API could not complete (the destination did not answer): shown until the list is read again. */
type FailedTest = { message: string; at: string };

export function ConnectionsPage() {
  const { isAdmin } = useIdentity();
  const connections = useConnections();
  const destinations = useDestinations();
  const location = useLocation();
  const [failedTests, setFailedTests] = useState<Record<string, FailedTest>>({});
  const queryClient = useQueryClient();
  const [deleting, setDeleting] = useState<Connection | undefined>();
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [notice, setNotice] = useState<string | undefined>((location.state as { added?: string } | null)?.added ? `Connection “${(location.state as { added: string }).added}” added.` : undefined);

  const test = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/connections/{id}/test', { params: { path: { id } } })),
    // The API stores the outcome on the connection (lastTest); the list shows it from there.
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.connections }),
    onError: (error, id) => setFailedTests((t) => ({ ...t, [id]: { message: (error as Error).message, at: new Date().toISOString() } })),
    onSuccess: (_, id) => setFailedTests(({ [id]: _dropped, ...rest }) => rest),
  });

  const typeName = (type: string) => destinations.data?.find((d) => d.type === type)?.displayName ?? type;
  return (
    <>
      <PageHeading
        actions={
          isAdmin ? (
            <Button as="a" href="#/connections/new" appearance="primary">
              Add connection
            </Button>
          ) : undefined
        }
      >
        Connections
      </PageHeading>
      {notice ? (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {!isAdmin ? <p>The connections admins have opened to contributors. Only admins add, test or delete connections.</p> : null}
      {connections.isPending ? (
        <Spinner label="Loading connections" />
      ) : connections.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{(connections.error as Error).message}</MessageBarBody>
        </MessageBar>
      ) : connections.data.length === 0 ? (
        <p>No connections yet.</p>
      ) : (
        <Table aria-label="Connections">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Type</TableHeaderCell>
              <TableHeaderCell>Who can use it</TableHeaderCell>
              <TableHeaderCell>Export user</TableHeaderCell>
              <TableHeaderCell>Consent</TableHeaderCell>
              <TableHeaderCell>Credentials</TableHeaderCell>
              <TableHeaderCell>Last test</TableHeaderCell>
              {isAdmin ? <TableHeaderCell>Actions</TableHeaderCell> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {connections.data.map((c) => {
              const outcome = c.lastTest;
              const failed = failedTests[c.id];
              return (
                <TableRow key={c.id}>
                  <TableCell>{c.displayName}</TableCell>
                  <TableCell>{typeName(c.type)}</TableCell>
                  <TableCell>{c.allowContributors ? 'Administrators and contributors' : 'Administrators'}</TableCell>
                  <TableCell>{c.exportUser.userDetails || c.exportUser.userId}</TableCell>
                  <TableCell>
                    Accepted by {c.consent.acceptedBy.userDetails || c.consent.acceptedBy.userId}, {formatTime(c.consent.acceptedAt)}
                  </TableCell>
                  <TableCell>{c.credentials.set ? <Badge appearance="tint" color="success">set</Badge> : <Badge color="danger">not set</Badge>}</TableCell>
                  <TableCell aria-live="polite">
                    {outcome ? (
                      <span>
                        <Badge appearance="tint" color={outcome.ok ? 'success' : 'danger'}>
                          {outcome.ok ? 'passed' : `failed${outcome.reason ? `: ${outcome.reason}` : ''}`}
                        </Badge>{' '}
                        {formatTime(outcome.at)}
                      </span>
                    ) : (
                      'not tested yet'
                    )}
                    {failed ? <div>Test could not finish: {failed.message}</div> : null}
                  </TableCell>
                  {isAdmin ? (
                    <TableCell>
                      <Button size="small" onClick={() => test.mutate(c.id)} disabled={test.isPending && test.variables === c.id} aria-label={`Test ${c.displayName}`}>
                        {test.isPending && test.variables === c.id ? 'Testing…' : 'Test'}
                      </Button>{' '}
                      <Button size="small" as="a" href={`#/connections/${c.id}/edit`} aria-label={`Edit ${c.displayName}`}>
                        Edit
                      </Button>{' '}
                      <Button size="small" onClick={() => {
                          setDeleting(c);
                          setDeleteOpen(true);
                        }}
                        aria-label={`Delete ${c.displayName}`}>
                        Delete
                      </Button>
                    </TableCell>
                  ) : null}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {/* Closed through `open`, never by unmounting it while open: that would leave the page hidden from assistive technology. */}
      {deleting ? (
        <Dialog open={deleteOpen} onOpenChange={(_, data) => setDeleteOpen(data.open)}>
          <DeleteConnectionDialog
            key={deleting.id}
            connection={deleting}
            onClose={(message) => {
              setDeleteOpen(false);
              if (message) setNotice(message);
            }}
          />
        </Dialog>
      ) : null}
    </>
  );
}

/** The dialog's content: says which exports the deletion disables before it happens, and how many it did after. */
function DeleteConnectionDialog({ connection, onClose }: { connection: Connection; onClose: (message?: string) => void }) {
  const queryClient = useQueryClient();
  const exports = useExports();
  const affected = (exports.data ?? []).filter((e) => e.connectionId === connection.id);
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/connections/{id}', { params: { path: { id: connection.id }, query: { force: affected.length > 0 ? 'true' : 'false' } } })),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: keys.connections });
      await queryClient.invalidateQueries({ queryKey: keys.exports });
      onClose(`Connection “${connection.displayName}” deleted.${result.disabledExports.length ? ` Disabled exports: ${result.disabledExports.length}.` : ''}`);
    },
  });
  return (
    <>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Delete “{connection.displayName}”?</DialogTitle>
          <DialogContent>
            <p>Its stored credentials are deleted too.</p>
            {exports.isPending ? (
              <Spinner size="tiny" label="Looking for exports that use it" />
            ) : affected.length ? (
              <>
                <p>These exports use it and will be disabled (reason: connection removed):</p>
                <ul>
                  {affected.map((e) => (
                    <li key={e.id}>{e.name}</li>
                  ))}
                </ul>
              </>
            ) : (
              <p>No export uses it.</p>
            )}
            {remove.error ? (
              <MessageBar intent="error">
                <MessageBarBody>{remove.error instanceof ApiError ? remove.error.message : String(remove.error)}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={() => remove.mutate()} disabled={remove.isPending || exports.isPending}>
              Delete connection
            </Button>
            <Button onClick={() => onClose()}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </>
  );
}
