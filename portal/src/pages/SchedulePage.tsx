import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import cronstrue from 'cronstrue';
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { ScheduleInput } from '../api/types.js';
import { useFieldErrors, useFormStyles } from '../components/form.js';
import { formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';

/** NCRONTAB (six fields, seconds first) in plain words, or why it cannot be read. */
export function readCron(expression: string): { text?: string; problem?: string } {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 6) return { problem: `NCRONTAB needs six fields (second minute hour day month day-of-week); this has ${fields.length}.` };
  try {
    return { text: `${cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: true })} (UTC)` };
  } catch (error) {
    return { problem: String(error) };
  }
}

export function SchedulePage() {
  const styles = useFormStyles();
  const queryClient = useQueryClient();
  const errors = useFieldErrors();
  const schedule = useQuery({ queryKey: keys.schedule, queryFn: () => unwrap(api.GET('/schedule')) });
  const [cron, setCron] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (schedule.data) {
      setCron(schedule.data.cron);
      setEnabled(schedule.data.enabled);
    }
  }, [schedule.data]);

  const save = useMutation({
    mutationFn: (body: ScheduleInput) => unwrap(api.PUT('/schedule', { body })),
    onSuccess: (result) => {
      queryClient.setQueryData(keys.schedule, result);
      setSaved(true);
    },
    onError: (error) => errors.setApiError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.reset();
    setSaved(false);
    const problem = readCron(cron).problem;
    if (problem) return errors.setLocal({ cron: problem });
    save.mutate({ cron, enabled });
  }

  if (schedule.isPending) return <Spinner label="Loading the schedule" />;
  if (schedule.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{(schedule.error as Error).message}</MessageBarBody>
      </MessageBar>
    );
  const reading = readCron(cron);
  const error = errors.errorFor('cron');
  return (
    <>
      <PageHeading>Schedule</PageHeading>
      <p>
        The system refresh: exports that inherit it run at these times.{' '}
        {schedule.data.source === 'setting' ? 'Nobody has saved one yet; this is the REFRESH_SCHEDULE app setting.' : `Saved by ${schedule.data.updatedBy?.userDetails ?? 'an admin'}, ${formatTime(schedule.data.updatedAt)}.`}
      </p>
      <form className={styles.form} onSubmit={submit} noValidate aria-label="Refresh schedule">
        {saved ? (
          <MessageBar intent="success">
            <MessageBarBody>Schedule saved; it applies from the next timer tick.</MessageBarBody>
          </MessageBar>
        ) : null}
        {errors.general ? (
          <MessageBar intent="error">
            <MessageBarBody>{errors.general}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Field
          label="NCRONTAB expression"
          required
          hint={reading.text ?? 'Six fields, seconds first, UTC: 0 0 */6 * * * is every six hours.'}
          validationMessage={error}
          validationState={error ? 'error' : 'none'}
        >
          <Input value={cron} onChange={(_, data) => {
            setCron(data.value);
            errors.clear('cron');
          }} style={{ fontFamily: 'monospace' }} />
        </Field>
        <Checkbox label="Enabled" checked={enabled} onChange={(_, data) => setEnabled(data.checked === true)} />
        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={save.isPending}>
            Save schedule
          </Button>
        </div>
      </form>
      <section aria-labelledby="next-heading" style={{ marginTop: 24 }}>
        <Text as="h2" id="next-heading" size={500} weight="semibold" block>
          Next five runs of the saved schedule
        </Text>
        {schedule.data.nextRuns.length ? (
          <ol>
            {schedule.data.nextRuns.map((time) => (
              <li key={time}>
                <time dateTime={time}>{new Date(time).toUTCString()}</time>
              </li>
            ))}
          </ol>
        ) : (
          <p>The schedule is disabled: nothing runs on it.</p>
        )}
      </section>
    </>
  );
}
