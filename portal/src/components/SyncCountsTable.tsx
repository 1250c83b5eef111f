import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import type { SegmentRun, SegmentSync } from '../api/types.js';
import { formatCount } from './format.js';

const notRemovedReasons: Record<NonNullable<SegmentSync['notRemovedReason']>, string> = {
  'add-only': 'the export only adds',
  'removal-unsupported': 'the destination cannot remove members',
};

/** The audience columns that explain a number; a column of zeros for every segment says nothing and is left out. */
const optionalColumns = ['removeFailed', 'notRemoved'] as const;

/**
 * What mirror sync changed at each audience. Runs recorded before mirror sync have no `sync`
 * counts: their segments are left out, and with none left the table is not shown at all.
 */
export function SyncCountsTable({ segments, runFull }: { segments: SegmentRun[]; runFull: boolean }) {
  const synced = segments.filter((s): s is SegmentRun & { sync: SegmentSync } => s.sync !== undefined);
  if (synced.length === 0) return null;
  const shown = optionalColumns.filter((c) => synced.some((s) => s.sync[c] > 0));
  return (
    <Table aria-label="Audience changes per segment">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Segment</TableHeaderCell>
          <TableHeaderCell>Sync</TableHeaderCell>
          <TableHeaderCell>Added</TableHeaderCell>
          <TableHeaderCell>To remove</TableHeaderCell>
          <TableHeaderCell>Removed</TableHeaderCell>
          {shown.includes('removeFailed') ? <TableHeaderCell>Removal failed</TableHeaderCell> : null}
          {shown.includes('notRemoved') ? <TableHeaderCell>Left in the audience</TableHeaderCell> : null}
          <TableHeaderCell>Tracked before</TableHeaderCell>
          <TableHeaderCell>Tracked after</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {synced.map(({ segment, sync }) => (
          <TableRow key={segment}>
            <TableCell>{segment}</TableCell>
            <TableCell>{sync.full ? (runFull ? 'full (requested)' : 'full') : 'changes only'}</TableCell>
            <TableCell>{formatCount(sync.added)}</TableCell>
            <TableCell>{formatCount(sync.toRemove)}</TableCell>
            <TableCell>{formatCount(sync.removed)}</TableCell>
            {shown.includes('removeFailed') ? <TableCell>{sync.removeFailed ? `${formatCount(sync.removeFailed)} (sent again next run)` : '0'}</TableCell> : null}
            {shown.includes('notRemoved') ? (
              <TableCell>
                {formatCount(sync.notRemoved)}
                {sync.notRemoved && sync.notRemovedReason ? `: ${notRemovedReasons[sync.notRemovedReason]}` : ''}
              </TableCell>
            ) : null}
            <TableCell>{formatCount(sync.ledgerBefore)}</TableCell>
            <TableCell>{formatCount(sync.ledgerAfter)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
