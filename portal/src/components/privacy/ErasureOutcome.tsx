import { Badge, type BadgeProps, MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.js';
import { keys, useDestinations, useExports } from '../../api/queries.js';
import type { Erasure, ErasureTarget } from '../../api/types.js';
import { formatTime } from '../format.js';

const statusColors: Record<Erasure['status'], BadgeProps['color']> = { running: 'brand', completed: 'success', 'partially-completed': 'warning' };
const outcomeWords: Record<ErasureTarget['outcome'], string> = {
  pending: 'pending',
  removed: 'removed',
  'not-present': 'was not there',
  'not-supported': 'the destination cannot remove one person',
  failed: 'failed',
};

export function ErasureStatusBadge({ status }: { status: Erasure['status'] }) {
  return (
    <Badge appearance="tint" color={statusColors[status]}>
      {status}
    </Badge>
  );
}

/** One erasure, followed while it runs: its status and what became of the person at each audience. */
export function ErasureOutcome({ erasureId }: { erasureId: string }) {
  const exports = useExports();
  const destinations = useDestinations();
  const erasure = useQuery({
    queryKey: keys.erasure(erasureId),
    queryFn: () => unwrap(api.GET('/erasures/{id}', { params: { path: { id: erasureId } } })),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1000 : false),
  });
  if (erasure.isPending) return <Spinner size="small" label="Loading the erasure" />;
  if (erasure.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{erasure.error.message}</MessageBarBody>
      </MessageBar>
    );
  const e = erasure.data;
  const exportName = (id: string) => exports.data?.find((x) => x.id === id)?.name ?? `export ${id} (deleted since)`;
  const destinationName = (type: string) => destinations.data?.find((d) => d.type === type)?.displayName ?? type;
  return (
    <div aria-live="polite">
      <Text block>
        Erasure <ErasureStatusBadge status={e.status} /> requested by {e.requestedBy.userDetails || e.requestedBy.userId}, {formatTime(e.requestedAt)}
        {e.finishedAt ? `; finished ${formatTime(e.finishedAt)}` : ''}
        {e.reportsScrubbed !== undefined ? `; ${e.reportsScrubbed} rejected-rows report parts rewritten without the person` : ''}.
      </Text>
      {e.destinations.length === 0 ? (
        <Text block>{e.status === 'running' ? 'Looking for the audiences that hold the person…' : 'No audience held the person.'}</Text>
      ) : (
        <Table aria-label="Erasure outcome per audience">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Export</TableHeaderCell>
              <TableHeaderCell>Destination</TableHeaderCell>
              <TableHeaderCell>Segment</TableHeaderCell>
              <TableHeaderCell>Outcome</TableHeaderCell>
              <TableHeaderCell>Reason</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {e.destinations.map((d) => (
              <TableRow key={`${d.exportId}/${d.segment}`}>
                <TableCell>{exportName(d.exportId)}</TableCell>
                <TableCell>{destinationName(d.destinationType)}</TableCell>
                <TableCell>{d.segment}</TableCell>
                <TableCell>{outcomeWords[d.outcome]}</TableCell>
                <TableCell>{d.reason ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
