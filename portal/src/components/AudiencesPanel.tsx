import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Spinner, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useAudiences } from '../api/queries.js';
import type { AudienceReading } from '../api/types.js';
import { AudienceHistory } from './AudienceHistory.js';
import { matchRateText, reportsSize, sizeText } from './audience-labels.js';
import { AudienceStateBadge } from './AudienceStateBadge.js';
import { formatCount, formatTime } from './format.js';
import { Section } from './Section.js';

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  pair: { display: 'contents' },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
});

const driftActions: Record<NonNullable<AudienceReading['drift']>['action'], string> = {
  'full-sync': 'The next run syncs in full to set it right.',
  none: 'Nothing the service allows would set it right: see the message.',
};

/** What the destination reported, in its own fields; a destination that reports nothing says so and shows no number. */
function reportedText(reading: AudienceReading): string {
  const reported = reading.reported;
  if (!reported || !reportsSize(reading)) return 'the destination reports no size';
  const fields = Object.entries(reported.sizes).map(([name, value]) => `${name} ${sizeText(value)}`);
  const notes = [reported.counts === 'matched' ? 'matched users only' : '', reported.estimate ? 'estimate' : ''].filter(Boolean);
  return `${fields.join(', ')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

function LatestReading({ reading, destinationName }: { reading: AudienceReading; destinationName: string }) {
  const styles = useStyles();
  const facts: [string, ReactNode][] = [
    [
      'State',
      <>
        <AudienceStateBadge state={reading.state} />
        {reading.detail ? ` ${reading.detail}` : ''}
      </>,
    ],
    ['Tracked in the ledger', reading.tracked === null ? 'no ledger yet' : `${formatCount(reading.tracked)}${reading.owed > 0 ? `, and ${formatCount(reading.owed)} removals not yet confirmed` : ''}`],
    [`Reported by ${destinationName}`, reportedText(reading)],
    ['Match rate', matchRateText(reading)],
    [
      'Last run',
      reading.lastRun ? (
        <>
          added {formatCount(reading.lastRun.added)}, removed {formatCount(reading.lastRun.removed)} (<a href={`#/runs/${reading.lastRun.runId}`}>the run</a>)
        </>
      ) : (
        '—'
      ),
    ],
    ['Read', `${formatTime(reading.readAt)}, ${reading.trigger === 'after-run' ? 'at the end of a run' : 'by the timer'}`],
  ];
  return (
    <>
      {reading.drift ? (
        <MessageBar intent="warning">
          <MessageBarBody>
            <MessageBarTitle>Out of step with the ledger</MessageBarTitle>
            {reading.drift.message} {driftActions[reading.drift.action]}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {reading.alerts?.map((alert) => (
        <MessageBar key={alert.kind} intent="warning">
          <MessageBarBody>
            <MessageBarTitle>{alert.kind === 'match-rate-low' ? 'Match rate below the alert threshold' : 'Audience shrank past the alert threshold'}</MessageBarTitle>
            {alert.message} The export&apos;s webhooks were told.
          </MessageBarBody>
        </MessageBar>
      ))}
      <dl className={styles.facts}>
        {facts.map(([term, value]) => (
          <div key={term} className={styles.pair}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/**
 * What the destination made of each of the export's audiences: the latest reading per
 * segment (tracked against reported, match rate, processing state, drift) and its history.
 */
export function AudiencesPanel({ exportId, destinationName }: { exportId: string; destinationName: string }) {
  const audiences = useAudiences(exportId);
  if (audiences.isPending) return <Spinner size="small" label="Loading the audiences" />;
  if (audiences.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{audiences.error.message}</MessageBarBody>
      </MessageBar>
    );
  if (audiences.data.length === 0) return <p>No audiences yet.</p>;
  return (
    <>
      <p>
        What {destinationName} made of each audience, read at the end of each run and by a timer after (every few hours for two days, then daily).
        Services that process uploads show sizes only once they have.
      </p>
      {audiences.data.map(({ segment, latest }) => (
        <Section key={segment} title={segment} level={3}>
          {latest ? (
            <>
              <LatestReading reading={latest} destinationName={destinationName} />
              <AudienceHistory exportId={exportId} segment={segment} destinationName={destinationName} />
            </>
          ) : (
            <p>Not read yet: the first reading comes at the end of the next run.</p>
          )}
        </Section>
      ))}
    </>
  );
}
