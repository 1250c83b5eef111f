import {
  Badge,
  createTableColumn,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  useTableFeatures,
  useTableSort,
  type TableColumnDefinition,
  type TableColumnId,
} from '@fluentui/react-components';
import { useDestinations, useExportHealth } from '../api/queries.js';
import type { ExportHealth } from '../api/types.js';
import { formatCount, formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { RunStatusBadge } from '../components/RunStatusBadge.js';

/** How bad a last run is, for sorting: failures first when sorted descending. */
const runSeverity: Record<string, number> = { failed: 5, 'partially-succeeded': 4, running: 3, queued: 2, skipped: 1, succeeded: 0 };
const lastRunAt = (h: ExportHealth) => (h.lastRun ? Date.parse(h.lastRun.finishedAt ?? h.lastRun.startedAt) : 0);
/** No next run sorts last ascending: it is the furthest away. */
const nextRunAt = (h: ExportHealth) => (h.nextScheduledRun ? Date.parse(h.nextScheduledRun) : Number.POSITIVE_INFINITY);

const columns: TableColumnDefinition<ExportHealth>[] = [
  createTableColumn<ExportHealth>({ columnId: 'name', compare: (a, b) => a.name.localeCompare(b.name) }),
  createTableColumn<ExportHealth>({ columnId: 'destination', compare: (a, b) => a.destinationType.localeCompare(b.destinationType) }),
  createTableColumn<ExportHealth>({
    columnId: 'lastRun',
    compare: (a, b) => (runSeverity[a.lastRun?.status ?? ''] ?? -1) - (runSeverity[b.lastRun?.status ?? ''] ?? -1) || lastRunAt(a) - lastRunAt(b),
  }),
  createTableColumn<ExportHealth>({ columnId: 'when', compare: (a, b) => lastRunAt(a) - lastRunAt(b) }),
  createTableColumn<ExportHealth>({ columnId: 'streak', compare: (a, b) => a.failureStreak - b.failureStreak }),
  createTableColumn<ExportHealth>({ columnId: 'next', compare: (a, b) => nextRunAt(a) - nextRunAt(b) }),
  createTableColumn<ExportHealth>({ columnId: 'processing', compare: (a, b) => a.audiences.processing - b.audiences.processing }),
];

const headings: Record<string, string> = {
  name: 'Export',
  destination: 'Destination',
  lastRun: 'Last run',
  when: 'Ended',
  streak: 'Failures in a row',
  next: 'Next scheduled run',
  processing: 'Audiences processing',
};

/** The audiences in words: how many are processing of how many, and what else needs a look. */
function audienceText(h: ExportHealth): string {
  const parts = [`${formatCount(h.audiences.processing)} of ${formatCount(h.segments)}`];
  if (h.audiences.failed > 0) parts.push(`${h.audiences.failed} failed`);
  if (h.audiences['too-small-to-serve'] > 0) parts.push(`${h.audiences['too-small-to-serve']} too small to serve`);
  if (h.audiences.drift > 0) parts.push(`${h.audiences.drift} out of step`);
  if (h.audiences.unread > 0) parts.push(`${h.audiences.unread} not read yet`);
  return parts.join(', ');
}

/**
 * The home page: every export the caller may see with its health at a glance, sortable by
 * each column (a failing export sorts first on "Last run" descending), each linking to its export.
 */
export function DashboardPage() {
  const health = useExportHealth();
  const destinations = useDestinations();
  const items = health.data?.items ?? [];
  const { getRows, sort } = useTableFeatures({ columns, items }, [
    useTableSort({ defaultSortState: { sortColumn: 'lastRun', sortDirection: 'descending' } }),
  ]);
  const rows = sort.sort(getRows());
  const headerProps = (columnId: TableColumnId) => ({
    onClick: (e: React.MouseEvent) => sort.toggleColumnSort(e, columnId),
    sortDirection: sort.getSortDirection(columnId),
  });
  const destinationName = (type: string) => destinations.data?.find((d) => d.type === type)?.displayName ?? type;
  const failing = items.filter((h) => h.lastRun?.status === 'failed').length;
  const processing = items.reduce((sum, h) => sum + h.audiences.processing, 0);

  return (
    <>
      <PageHeading>Home</PageHeading>
      {health.isPending ? (
        <Spinner label="Loading the exports' health" />
      ) : health.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{(health.error as Error).message}</MessageBarBody>
        </MessageBar>
      ) : items.length === 0 ? (
        <p>
          No exports yet. <a href="#/exports/new">Add an export</a>.
        </p>
      ) : (
        <>
          <p>
            {formatCount(items.length)} export{items.length === 1 ? '' : 's'}; {failing === 0 ? 'no last run failed' : `${failing} whose last run failed`};{' '}
            {formatCount(processing)} audience{processing === 1 ? '' : 's'} still processing at the destination.
            {health.data.continuation ? ' Only the first 1,000 exports are shown.' : ''}
          </p>
          <Table aria-label="Export health" sortable>
            <TableHeader>
              <TableRow>
                {columns.map((column) => (
                  <TableHeaderCell key={column.columnId} {...headerProps(column.columnId)}>
                    {headings[column.columnId as string]}
                  </TableHeaderCell>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map(({ item: h }) => (
                <TableRow key={h.exportId}>
                  <TableCell>
                    <a href={`#/exports/${h.exportId}`}>{h.name}</a>
                    {h.enabled ? null : (
                      <Text size={200} block>
                        {h.disabledReason ? `disabled (${h.disabledReason})` : 'disabled'}
                      </Text>
                    )}
                  </TableCell>
                  <TableCell>{destinationName(h.destinationType)}</TableCell>
                  <TableCell>
                    {h.lastRun ? (
                      <a href={`#/runs/${h.lastRun.id}`} aria-label={`Last run of ${h.name}: ${h.lastRun.status}`}>
                        <RunStatusBadge status={h.lastRun.status} />
                      </a>
                    ) : (
                      <Badge appearance="outline">never run</Badge>
                    )}
                  </TableCell>
                  <TableCell>{h.lastRun ? formatTime(h.lastRun.finishedAt ?? h.lastRun.startedAt) : '—'}</TableCell>
                  <TableCell>
                    {h.failureStreak > 0 ? (
                      <Badge appearance="tint" color="danger">
                        {formatCount(h.failureStreak)}
                      </Badge>
                    ) : (
                      '0'
                    )}
                  </TableCell>
                  <TableCell>{h.nextScheduledRun ? formatTime(h.nextScheduledRun) : h.enabled ? 'not scheduled' : '—'}</TableCell>
                  <TableCell>{audienceText(h)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </>
  );
}
