import { Badge, Button, Checkbox, Field, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client.js';
import type { Export, SegmentPreview } from '../api/types.js';
import { CountList } from './CountList.js';
import { RecordTable } from './RecordTable.js';
import { Section } from './Section.js';

/** Dry run: what the next run would do to each audience. Nothing is sent and no ledger changes. */
export function PreviewPanel({ exp, destinationName }: { exp: Export; destinationName: string }) {
  const [full, setFull] = useState(false);
  const preview = useMutation({
    mutationFn: (asFull: boolean) => unwrap(api.POST('/exports/{id}/preview', { params: { path: { id: exp.id } }, body: { full: asFull } })),
  });
  return (
    <>
      <p>Reads each segment’s newest file and plans the run against what each audience holds, without sending anything or changing what the app records.</p>
      <Field hint="Plan it as a full sync: the whole membership, and the removal of members the app did not add.">
        <Checkbox label="Preview a full sync" checked={full} onChange={(_, data) => setFull(data.checked === true)} />
      </Field>
      <div>
        <Button onClick={() => preview.mutate(full)} disabled={preview.isPending}>
          {preview.isPending ? 'Planning…' : 'Preview the next run'}
        </Button>
      </div>
      {preview.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{preview.error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div aria-live="polite">
        {preview.data
          ? preview.data.segments.map((segment) => <SegmentPlan key={segment.segment} segment={segment} destinationName={destinationName} asFull={preview.variables === true} />)
          : null}
      </div>
    </>
  );
}

function SegmentPlan({ segment, destinationName, asFull }: { segment: SegmentPreview; destinationName: string; asFull: boolean }) {
  const sending = segment.outcome === 'send';
  return (
    <Section title={`Preview of ${segment.segment}${asFull ? ' (full sync)' : ''}`} level={3}>
      <Text>
        {sending ? (
          <>
            <Badge appearance="tint" color="brand">
              would send
            </Badge>{' '}
            {segment.full ? 'in full: the whole membership, members the app did not add removed' : 'the changes since the last run'}
          </>
        ) : (
          <>
            <Badge appearance="tint" color="warning">
              would not send
            </Badge>{' '}
            {segment.outcome}
          </>
        )}
        {segment.file ? ` · file ${segment.file}` : ''}
      </Text>
      <CountList
        counts={[
          ['Read', segment.read],
          ['Valid', segment.valid],
          ['Invalid', segment.invalid],
          ['Duplicate', segment.duplicate],
          ['Suppressed', segment.suppressed],
          ['Over the limit', segment.overLimit],
          ['To add', segment.adds],
          ['To remove', segment.removes],
          ['Unchanged', segment.unchanged],
          ['Left in the audience', segment.notRemoved],
        ]}
      />
      {segment.sample.length ? (
        <>
          <Text weight="semibold">
            The first {segment.sample.length} records to add, as {destinationName} would receive them
          </Text>
          <RecordTable label={`First records to add to ${segment.segment}`} records={segment.sample} />
        </>
      ) : sending ? (
        <Text>Nothing to add.</Text>
      ) : null}
    </Section>
  );
}
