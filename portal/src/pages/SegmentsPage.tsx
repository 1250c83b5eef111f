import { MessageBar, MessageBarBody, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { useSegments } from '../api/queries.js';
import { formatCount, formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';

export function SegmentsPage() {
  const segments = useSegments();
  return (
    <>
      <PageHeading>Segments</PageHeading>
      <p>The segment catalog: each segment’s newest file is its current membership.</p>
      {segments.isPending ? (
        <Spinner label="Loading segments" />
      ) : segments.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{(segments.error as Error).message}</MessageBarBody>
        </MessageBar>
      ) : segments.data.length === 0 ? (
        <p>No segment files have landed yet.</p>
      ) : (
        <Table aria-label="Segments">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Segment</TableHeaderCell>
              <TableHeaderCell>Rows</TableHeaderCell>
              <TableHeaderCell>Columns</TableHeaderCell>
              <TableHeaderCell>Format</TableHeaderCell>
              <TableHeaderCell>Last refresh</TableHeaderCell>
              <TableHeaderCell>Latest file</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {segments.data.map((s) => (
              <TableRow key={s.name}>
                <TableCell>{s.name}</TableCell>
                <TableCell>{s.rowCount === undefined ? 'not counted yet' : formatCount(s.rowCount)}</TableCell>
                <TableCell>{s.columns.join(', ')}</TableCell>
                <TableCell>
                  {s.format}
                  {s.gzip ? ' (gzip)' : ''}
                </TableCell>
                <TableCell>{formatTime(s.refreshedAt)}</TableCell>
                <TableCell>{s.latestFile}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
