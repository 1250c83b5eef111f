import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Select, Spinner, Text } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys, useConnections, useDestinations, useSegments } from '../api/queries.js';
import type { Destination, Export, ExportInput, SyncMode } from '../api/types.js';
import { useFieldErrors, useFormStyles } from '../components/form.js';
import { formatCount, formatTime, limitText } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { labelOf, missingRequired, SchemaFields, type ObjectSchema } from '../components/SchemaFields.js';

const KNOWN_FIELDS = ['name', 'connectionId', 'segments', 'dataMatching', 'defaultCountry', 'settings', 'enabled', 'runOnSegmentRefresh', 'schedule', 'truncate', 'syncMode', 'audienceAlerts'];
type MatchField = Destination['identifiers']['accepted'][number];

/** Adds an export, or with `existing` changes it (PATCH replaces segments, data matching and settings as a whole). */
export function AddExportPage({ existing }: { existing?: Export } = {}) {
  const styles = useFormStyles();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const connections = useConnections();
  const destinations = useDestinations();
  const segments = useSegments();
  const errors = useFieldErrors();

  const [name, setName] = useState(existing?.name ?? '');
  const [connectionId, setConnectionId] = useState(existing?.connectionId ?? '');
  const [chosen, setChosen] = useState<string[]>(existing?.segments ?? []);
  const [matching, setMatching] = useState<Partial<Record<MatchField, string>>>(existing?.dataMatching ?? {});
  const [defaultCountry, setDefaultCountry] = useState(existing?.defaultCountry ?? '');
  const [settings, setSettings] = useState<Record<string, string>>(existing?.settings ?? {});
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [runOnSegmentRefresh, setRunOnSegmentRefresh] = useState(existing?.runOnSegmentRefresh ?? true);
  const [schedule, setSchedule] = useState<'inherit' | 'none'>(existing?.schedule ?? 'inherit');
  const [truncate, setTruncate] = useState(existing?.truncate ?? false);
  const [syncMode, setSyncMode] = useState<SyncMode>(existing?.syncMode ?? 'mirror');
  // Shares as percentages, as people type them; empty: no alert.
  const [matchRateBelow, setMatchRateBelow] = useState(percentOf(existing?.audienceAlerts?.matchRateBelow));
  const [shrinksBy, setShrinksBy] = useState(percentOf(existing?.audienceAlerts?.shrinksBy));

  const connection = connections.data?.find((c) => c.id === connectionId);
  const destination = destinations.data?.find((d) => d.type === connection?.type);
  // The columns every chosen segment has: a mapping must name a field present in each file.
  const chosenSegments = (segments.data ?? []).filter((s) => chosen.includes(s.name));
  const columns = chosenSegments.length ? chosenSegments.map((s) => s.columns).reduce((a, b) => a.filter((c) => b.includes(c))) : [];
  // Exactly the identifiers the destination takes, those it needs first.
  const matchFields: { field: MatchField; required: boolean }[] = destination
    ? destination.identifiers.accepted
        .map((field) => ({ field, required: destination.dataMatching.required.includes(field) }))
        .sort((a, b) => Number(b.required) - Number(a.required))
    : [];
  const phoneMapped = Boolean(matching.phone);

  const create = useMutation({
    mutationFn: (body: ExportInput) =>
      existing
        ? unwrap(api.PATCH('/exports/{id}', { params: { path: { id: existing.id } }, body, headers: { 'If-Match': existing.etag ?? '*' } }))
        : unwrap(api.POST('/exports', { body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.exports });
      navigate('/exports');
    },
    onError: (error) => errors.setApiError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.reset();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Name is required';
    if (!connectionId) local.connectionId = 'Choose a connection';
    if (chosen.length === 0) local.segments = 'Choose at least one segment';
    for (const { field, required } of matchFields) if (required && !matching[field]) local[`dataMatching.${field}`] = `Choose the column with the ${labelOf(field).toLowerCase()}`;
    if (phoneMapped && !defaultCountry.trim()) local.defaultCountry = 'Choose the country of numbers written without a country code';
    if (destination) Object.assign(local, missingRequired(destination.settings as ObjectSchema, settings, 'settings'));
    const alerts: { matchRateBelow?: number; shrinksBy?: number } = {};
    for (const [field, text, max] of [['matchRateBelow', matchRateBelow, 100], ['shrinksBy', shrinksBy, 99.9]] as const) {
      if (!text.trim()) continue;
      const percent = Number(text);
      if (!Number.isFinite(percent) || percent <= 0 || percent > max) local[`audienceAlerts.${field}`] = `A percentage above 0 and up to ${max}`;
      else alerts[field] = Math.round(percent * 10) / 1000;
    }
    if (Object.keys(local).length > 0) return errors.setLocal(local);
    create.mutate({
      name,
      connectionId,
      segments: chosen,
      dataMatching: matching as ExportInput['dataMatching'],
      ...(phoneMapped ? { defaultCountry: defaultCountry.trim().toUpperCase() } : {}),
      settings,
      enabled,
      runOnSegmentRefresh,
      schedule,
      truncate,
      syncMode,
      audienceAlerts: alerts,
    });
  }

  if (connections.isPending || destinations.isPending || segments.isPending) return <Spinner label="Loading" />;
  const stateOf = (field: string) => (errors.errorFor(field) ? ('error' as const) : ('none' as const));
  return (
    <>
      <PageHeading>{existing ? `Edit export: ${existing.name}` : 'Add export'}</PageHeading>
      <form className={styles.form} onSubmit={submit} noValidate aria-label={existing ? 'Edit export' : 'Add export'}>
        {errors.general ? (
          <MessageBar intent="error">
            <MessageBarBody>{errors.general}</MessageBarBody>
          </MessageBar>
        ) : null}
        {errors.unplaced(KNOWN_FIELDS).map((e) => (
          <MessageBar key={e.field} intent="error">
            <MessageBarBody>
              {e.field}: {e.message}
            </MessageBarBody>
          </MessageBar>
        ))}
        <Field label="Name" required validationMessage={errors.errorFor('name')} validationState={stateOf('name')}>
          <Input value={name} maxLength={100} onChange={(_, data) => {
            setName(data.value);
            errors.clear('name');
          }} />
        </Field>
        <Field
          label="Connection"
          required
          validationMessage={errors.errorFor('connectionId')}
          validationState={stateOf('connectionId')}
          hint={destination ? `${destination.displayName}: ${limitText(destination.limits)}` : 'Only the connections you may use are listed.'}
        >
          <Select
            value={connectionId}
            onChange={(_, data) => {
              setConnectionId(data.value);
              errors.clear('connectionId');
              errors.clear('settings');
              setSettings({});
              setMatching((m) => (m.email ? { email: m.email } : {}));
            }}
          >
            <option value="">Choose a connection</option>
            {connections.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.displayName} ({destinations.data?.find((d) => d.type === c.type)?.displayName ?? c.type})
              </option>
            ))}
          </Select>
        </Field>
        {/* A fieldset, not a Field: a Field would lend its label to the first checkbox only. */}
        <fieldset className={styles.group} aria-describedby="segments-hint segments-error">
          <legend className={styles.legend}>Segments (required)</legend>
          {segments.data?.length ? (
            segments.data.map((s) => (
              <div key={s.name}>
                <Checkbox
                  label={`${s.name}: ${s.rowCount === undefined ? 'not counted yet' : `${formatCount(s.rowCount)} rows`}, refreshed ${formatTime(s.refreshedAt)}${sizeWarning(s.rowCount, destination?.limits)}`}
                  checked={chosen.includes(s.name)}
                  onChange={(_, data) => {
                    setChosen((c) => (data.checked ? [...c, s.name] : c.filter((n) => n !== s.name)));
                    errors.clear('segments');
                  }}
                />
              </div>
            ))
          ) : (
            <Text>No segment files have landed yet.</Text>
          )}
          <Text id="segments-hint" size={200} block>
            Each segment becomes its own audience.{destination ? ` ${destination.displayName} ${limitText(destination.limits)}.` : ''}
          </Text>
          {errors.errorFor('segments') ? (
            <Text id="segments-error" role="alert" size={200} block className={styles.error}>
              {errors.errorFor('segments')}
            </Text>
          ) : null}
        </fieldset>
        {matchFields.map(({ field, required }) => (
          <Field
            key={field}
            label={`Data matching: ${labelOf(field).toLowerCase()} column`}
            required={required}
            validationMessage={errors.errorFor(`dataMatching.${field}`)}
            validationState={stateOf(`dataMatching.${field}`)}
            hint={chosen.length ? undefined : 'Choose segments first: the columns come from their latest files.'}
          >
            <Select value={matching[field] ?? ''} onChange={(_, data) => {
              setMatching((m) => ({ ...m, [field]: data.value || undefined }));
              errors.clear(`dataMatching.${field}`);
            }}>
              <option value="">{required ? 'Choose a column' : 'Not sent'}</option>
              {columns.map((column) => (
                <option key={column} value={column}>
                  {column}
                </option>
              ))}
            </Select>
          </Field>
        ))}
        {destination ? (
          <Text id="matching-hint" size={200} block>
            {destination.displayName} matches people by {matchSetsText(destination.identifiers.matchSets)}: a row is sent when it has every column of one of these;
            the other columns chosen go with it.
          </Text>
        ) : null}
        {errors.errorFor('dataMatching') ? (
          <Text role="alert" size={200} block className={styles.error}>
            {errors.errorFor('dataMatching')}
          </Text>
        ) : null}
        {phoneMapped ? (
          <Field
            label="Default country of phone numbers"
            required
            validationMessage={errors.errorFor('defaultCountry')}
            validationState={stateOf('defaultCountry')}
            hint="The country of numbers written without a country code (ISO 3166 two-letter code, e.g. US, GB, DE)."
          >
            <Input value={defaultCountry} maxLength={2} onChange={(_, data) => {
              setDefaultCountry(data.value.toUpperCase());
              errors.clear('defaultCountry');
            }} />
          </Field>
        ) : null}
        {destination && Object.keys((destination.settings as ObjectSchema).properties ?? {}).length ? (
          <fieldset className={styles.form} style={{ border: 'none', padding: 0, margin: 0 }}>
            <legend>
              <Text weight="semibold">{destination.displayName} settings</Text>
            </legend>
            <SchemaFields schema={destination.settings as ObjectSchema} prefix="settings" values={settings} onChange={(values, field) => {
              setSettings(values);
              errors.clear(`settings.${field}`);
            }} errorFor={errors.errorFor} />
          </fieldset>
        ) : null}
        <Field
          label="When members leave a segment"
          validationMessage={errors.errorFor('syncMode')}
          validationState={stateOf('syncMode')}
          hint="Each run sends only the changes since the last one. Where a destination cannot remove single members, the run counts those who left as not removed."
        >
          <RadioGroup value={syncMode} onChange={(_, data) => {
            setSyncMode(data.value as SyncMode);
            errors.clear('syncMode');
          }}>
            <Radio value="mirror" label="Mirror (default): the audience follows the segment, so people who leave the segment are removed from the audience" />
            <Radio value="add-only" label="Add only: people are only ever added; those who leave the segment stay in the audience" />
          </RadioGroup>
        </Field>
        <fieldset className={styles.form} style={{ border: 'none', padding: 0, margin: 0 }}>
          <legend>
            <Text weight="semibold">Audience alerts</Text>
          </legend>
          <Text block>
            The export&apos;s webhooks (and Azure Monitor) are told once when an audience crosses one of these, not at every reading while it stays past it. Leave empty for no alert.
          </Text>
          <Field
            label="Alert when the match rate falls below (%)"
            hint="The destination's reported size over the members the app sent."
            validationMessage={errors.errorFor('audienceAlerts.matchRateBelow')}
            validationState={stateOf('audienceAlerts.matchRateBelow')}
          >
            <Input type="number" inputMode="decimal" min={0} max={100} value={matchRateBelow} onChange={(_, data) => {
              setMatchRateBelow(data.value);
              errors.clear('audienceAlerts.matchRateBelow');
            }} />
          </Field>
          <Field
            label="Alert when an audience shrinks between two readings by more than (%)"
            validationMessage={errors.errorFor('audienceAlerts.shrinksBy')}
            validationState={stateOf('audienceAlerts.shrinksBy')}
          >
            <Input type="number" inputMode="decimal" min={0} max={99.9} value={shrinksBy} onChange={(_, data) => {
              setShrinksBy(data.value);
              errors.clear('audienceAlerts.shrinksBy');
            }} />
          </Field>
        </fieldset>
        <Field label="Schedule" hint="Inherit: run on the system refresh schedule.">
          <Select value={schedule} onChange={(_, data) => setSchedule(data.value as 'inherit' | 'none')}>
            <option value="inherit">Inherit the refresh schedule</option>
            <option value="none">None: only on demand or when a segment refreshes</option>
          </Select>
        </Field>
        <Checkbox label="Run when a new file of one of the segments lands" checked={runOnSegmentRefresh} onChange={(_, data) => setRunOnSegmentRefresh(data.checked === true)} />
        <Checkbox label="Truncate: send the first rows of a segment over the limit instead of failing it" checked={truncate} onChange={(_, data) => setTruncate(data.checked === true)} />
        <Checkbox label="Enabled" checked={enabled} onChange={(_, data) => setEnabled(data.checked === true)} />
        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Save export'}
          </Button>
          <Button type="button" onClick={() => navigate('/exports')}>
            Cancel
          </Button>
        </div>
      </form>
    </>
  );
}

/** 0.5 → "50"; absent → "". */
const percentOf = (share: number | undefined) => (share === undefined ? '' : String(Math.round(share * 1000) / 10));

/** `email, or phone, or first name + last name + postal code + country code`. */
export function matchSetsText(sets: MatchField[][]): string {
  return sets.map((set) => set.map((field) => labelOf(field).toLowerCase()).join(' + ')).join(', or ');
}

/** A word beside a segment that the destination would skip or refuse at its current size. */
function sizeWarning(rows: number | undefined, limits: { minPerSegment?: number; maxPerSegment?: number } | undefined): string {
  if (rows === undefined || !limits) return '';
  if (limits.minPerSegment !== undefined && rows < limits.minPerSegment) return ' (too small for this destination)';
  if (limits.maxPerSegment !== undefined && rows > limits.maxPerSegment) return ' (over this destination’s limit)';
  return '';
}
