import { MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { useParams } from 'react-router';
import { useExports, useRuns } from '../api/queries.js';
import { formatDuration, formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { RunStatusBadge, TERMINAL_STATUSES } from '../components/RunStatusBadge.js';

export function ExportRunsPage() {
  const { id = '' } = useParams();
  const exports = useExports();
  const runs = useRuns(id, { refetchInterval: 5_000 });
  const name = exports.data?.find((e) => e.id === id)?.name ?? 'export';
  return (
    <>
      <PageHeading>{`Run history: ${name}`}</PageHeading>
      {runs.isPending ? (
        <Spinner label="Loading runs" />
      ) : runs.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{(runs.error as Error).message}</MessageBarBody>
        </MessageBar>
      ) : runs.data.length === 0 ? (
        <p>This export has not run yet.</p>
      ) : (
        <Table aria-label="Runs">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Started</TableHeaderCell>
              <TableHeaderCell>Trigger</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Reason</TableHeaderCell>
              <TableHeaderCell>Duration</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {runs.data.map((run) => (
              <TableRow key={run.id}>
                <TableCell>
                  <a href={`#/runs/${run.id}`}>{formatTime(run.startedAt)}</a>
                </TableCell>
                <TableCell>{run.full ? `${run.trigger}, full sync` : run.trigger}</TableCell>
                <TableCell>
                  <RunStatusBadge status={run.status} />
                </TableCell>
                <TableCell>{run.reason ?? ''}</TableCell>
                <TableCell>{TERMINAL_STATUSES.has(run.status) ? formatDuration(run.durationMs) : 'running'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
