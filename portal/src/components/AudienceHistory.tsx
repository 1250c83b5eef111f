import {
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  ToggleButton,
  tokens,
} from '@fluentui/react-components';
import { lazy, Suspense, useState } from 'react';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { AudiencePoint } from './AudienceChart.js';
import type { AudienceReading } from '../api/types.js';
import { matchRateText, sizeText, stateLabels } from './audience-labels.js';
import { formatCount, formatTime } from './format.js';
import { Pager, usePages } from './paging.js';

const PAGE = 50;
// The chart library is most of a chart's weight: loaded when a chart is first drawn, not with every page.
const AudienceChart = lazy(() => import('./AudienceChart.js').then((m) => ({ default: m.AudienceChart })));

const useStyles = makeStyles({
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  chart: { margin: 0, maxWidth: '900px' },
  // The chart's height, held while its code loads, so the page does not jump.
  drawing: { minHeight: '280px' },
  // The table stays in the page for screen readers while the chart is shown (the chart itself is hidden from them).
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    padding: 0,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
});


/** The destination's size fields any reading on the page has, in the order first seen. */
const sizeFieldsOf = (readings: AudienceReading[]) => [...new Set(readings.flatMap((r) => Object.keys(r.reported?.sizes ?? {})))];

/**
 * One audience's readings over time, a page at a time (newest first, as the API pages): a
 * chart of tracked against reported size, with adds and removes of the run before each
 * after-run reading, and a table of the same numbers. The table is always in the page for
 * screen readers; the toggle shows it to everyone.
 */
export function AudienceHistory({ exportId, segment, destinationName }: { exportId: string; segment: string; destinationName: string }) {
  const styles = useStyles();
  const [asTable, setAsTable] = useState(false);
  const pages = usePages(keys.audienceHistory(exportId, segment), (continuation) =>
    unwrap(api.GET('/exports/{id}/audiences/{segment}/history', { params: { path: { id: exportId, segment }, query: { top: PAGE, ...(continuation ? { continuation } : {}) } } })),
  );
  const { query } = pages;
  if (query.isPending) return <Spinner size="small" label={`Loading the readings of ${segment}`} />;
  if (query.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>The readings of {segment} could not be read: {query.error.message}</MessageBarBody>
      </MessageBar>
    );
  const readings = query.data.items;
  if (readings.length === 0) return <p>No readings of {segment} yet.</p>;

  const sizeFields = sizeFieldsOf(readings);
  const anyRun = readings.some((r) => r.lastRun);
  const oldestFirst = [...readings].reverse();
  const points: AudiencePoint[] = oldestFirst.map((r) => ({
    when: formatTime(r.readAt),
    tracked: r.tracked,
    reported: r.reported?.size ?? null,
    added: r.lastRun?.added ?? null,
    removed: r.lastRun?.removed ?? null,
  }));
  const label = `Readings of ${segment}`;
  return (
    <>
      <div className={styles.toolbar}>
        <ToggleButton size="small" checked={asTable} onClick={() => setAsTable((t) => !t)}>
          Show as a table
        </ToggleButton>
        <Pager label={label} pages={pages} />
      </div>
      {asTable ? null : (
        <figure className={styles.chart}>
          {/* The numbers reach screen readers through the table below; the drawing would repeat them point by point. */}
          <div aria-hidden="true" className={styles.drawing}>
            <Suspense fallback={<Spinner size="small" />}>
              <AudienceChart points={points} destinationName={destinationName} reported={sizeFields.length > 0} runs={anyRun} />
            </Suspense>
          </div>
          <figcaption>
            Tracked in the ledger{sizeFields.length > 0 ? ` against the size ${destinationName} reports` : ` (${destinationName} reports no size)`}, {formatTime(oldestFirst[0]?.readAt)} to{' '}
            {formatTime(readings[0]?.readAt)}; gaps are readings without that number.
          </figcaption>
        </figure>
      )}
      <div className={asTable ? undefined : styles.visuallyHidden}>
        <Table aria-label={label} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Read</TableHeaderCell>
              <TableHeaderCell>Taken</TableHeaderCell>
              <TableHeaderCell>Tracked</TableHeaderCell>
              {sizeFields.length > 0 ? sizeFields.map((f) => <TableHeaderCell key={f}>{`Reported ${f}`}</TableHeaderCell>) : <TableHeaderCell>Reported</TableHeaderCell>}
              <TableHeaderCell>Match rate</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>Added by the run</TableHeaderCell>
              <TableHeaderCell>Removed by the run</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {readings.map((r) => (
              <TableRow key={r.readAt}>
                <TableCell>{formatTime(r.readAt)}</TableCell>
                <TableCell>{r.trigger === 'after-run' ? 'after a run' : 'by the timer'}</TableCell>
                <TableCell>{r.tracked === null ? 'no ledger' : formatCount(r.tracked)}</TableCell>
                {sizeFields.length > 0 ? (
                  sizeFields.map((f) => <TableCell key={f}>{r.reported ? `${sizeText(r.reported.sizes[f])}${r.reported.estimate && typeof r.reported.sizes[f] === 'number' ? ' (estimate)' : ''}` : 'not reported'}</TableCell>)
                ) : (
                  <TableCell>not reported</TableCell>
                )}
                <TableCell>{matchRateText(r)}</TableCell>
                <TableCell>{stateLabels[r.state]}</TableCell>
                <TableCell>{r.lastRun ? formatCount(r.lastRun.added) : '—'}</TableCell>
                <TableCell>{r.lastRun ? formatCount(r.lastRun.removed) : '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </>
  );
}
