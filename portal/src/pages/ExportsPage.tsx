import { Badge, Button, MessageBar, MessageBarBody, Spinner, Switch, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys, useConnections, useDestinations, useExports, useRuns } from '../api/queries.js';
import type { Export } from '../api/types.js';
import { formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { RunNowError } from '../components/RunNowError.js';
import { RunStatusBadge } from '../components/RunStatusBadge.js';

export function ExportsPage() {
  const exports = useExports();
  const connections = useConnections();
  const destinations = useDestinations();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/exports/{id}/run', { params: { path: { id } } })),
    onSuccess: (started) => navigate(`/runs/${started.run.id}`),
  });
  const toggle = useMutation({
    mutationFn: (e: Export) => unwrap(api.PATCH('/exports/{id}', { params: { path: { id: e.id } }, body: { enabled: !e.enabled } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.exports }),
  });

  const destinationOf = (e: Export) => {
    const type = connections.data?.find((c) => c.id === e.connectionId)?.type;
    return destinations.data?.find((d) => d.type === type)?.displayName ?? 'connection not available';
  };
  return (
    <>
      <PageHeading
        actions={
          <Button as="a" href="#/exports/new" appearance="primary">
            Add export
          </Button>
        }
      >
        Exports
      </PageHeading>
      {run.error ? <RunNowError error={run.error} /> : null}
      {toggle.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{toggle.error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {exports.isPending ? (
        <Spinner label="Loading exports" />
      ) : exports.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{(exports.error as Error).message}</MessageBarBody>
        </MessageBar>
      ) : exports.data.length === 0 ? (
        <p>No exports yet.</p>
      ) : (
        <Table aria-label="Exports">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Destination</TableHeaderCell>
              <TableHeaderCell>Segments</TableHeaderCell>
              <TableHeaderCell>Last run</TableHeaderCell>
              <TableHeaderCell>Enabled</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {exports.data.map((e) => (
              <TableRow key={e.id}>
                <TableCell>
                  <a href={`#/exports/${e.id}`}>{e.name}</a>
                </TableCell>
                <TableCell>{destinationOf(e)}</TableCell>
                <TableCell>{e.segments.join(', ')}</TableCell>
                <TableCell>
                  <LastRun exportId={e.id} />
                </TableCell>
                <TableCell>
                  <Switch
                    checked={e.enabled}
                    label={e.enabled ? 'Enabled' : e.disabledReason ? `Disabled (${e.disabledReason})` : 'Disabled'}
                    aria-label={`${e.name} enabled`}
                    onChange={() => toggle.mutate(e)}
                  />
                </TableCell>
                <TableCell>
                  <Button size="small" appearance="primary" onClick={() => run.mutate(e.id)} disabled={!e.enabled || (run.isPending && run.variables === e.id)} aria-label={`Run ${e.name} now`}>
                    Run now
                  </Button>{' '}
                  <Button size="small" as="a" href={`#/exports/${e.id}/edit`} aria-label={`Edit ${e.name}`}>
                    Edit
                  </Button>{' '}
                  <Button size="small" as="a" href={`#/exports/${e.id}/runs`} aria-label={`Run history of ${e.name}`}>
                    History
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

function LastRun({ exportId }: { exportId: string }) {
  const runs = useRuns(exportId);
  const last = runs.data?.[0];
  if (runs.isPending) return <Spinner size="tiny" label="Loading" />;
  if (!last) return <Badge appearance="outline">never run</Badge>;
  return (
    <a href={`#/runs/${last.id}`}>
      <RunStatusBadge status={last.status} /> {formatTime(last.finishedAt ?? last.startedAt)}
    </a>
  );
}
