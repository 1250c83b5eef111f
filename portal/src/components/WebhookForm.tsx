import { Button, Checkbox, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Text } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { Webhook, WebhookChange, WebhookFormat, WebhookInput, WebhookOutcome } from '../api/types.js';
import { useFieldErrors, useFormStyles } from './form.js';
import { formatTime } from './format.js';
import { formatLabels, formats, outcomeLabels, outcomes } from './webhook-labels.js';

const KNOWN_FIELDS = ['name', 'format', 'outcomes', 'url', 'signingKey'];
const MIN_KEY_LENGTH = 32;

/**
 * Adds a webhook to an export, or with `existing` changes one. URL and signing key are
 * write-only: an existing webhook shows that they are set, and an empty field keeps them.
 */
export function WebhookForm({ exportId, existing, onDone }: { exportId: string; existing?: Webhook; onDone: (saved?: Webhook) => void }) {
  const styles = useFormStyles();
  const queryClient = useQueryClient();
  const errors = useFieldErrors();
  const [name, setName] = useState(existing?.name ?? '');
  const [format, setFormat] = useState<WebhookFormat>(existing?.format ?? 'teams');
  const [chosen, setChosen] = useState<WebhookOutcome[]>(existing?.outcomes ?? ['failed', 'partially-succeeded']);
  const [url, setUrl] = useState('');
  const [signingKey, setSigningKey] = useState('');
  const outcomesErrorId = useId();

  const save = useMutation({
    mutationFn: (body: WebhookInput | WebhookChange) =>
      existing
        ? unwrap(api.PATCH('/exports/{id}/webhooks/{webhookId}', { params: { path: { id: exportId, webhookId: existing.id } }, body }))
        : unwrap(api.POST('/exports/{id}/webhooks', { params: { path: { id: exportId } }, body: body as WebhookInput })),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: keys.webhooks(exportId) });
      if (!existing) {
        setName('');
        setUrl('');
        setSigningKey('');
      }
      onDone(saved);
    },
    onError: (error) => errors.setApiError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.reset();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Name is required';
    if (chosen.length === 0) local.outcomes = 'Choose at least one outcome';
    if (!existing && !url.trim()) local.url = 'URL is required';
    const keyNeeded = format === 'json' && !existing?.signingKey.set;
    if (keyNeeded && !signingKey) local.signingKey = 'Signed JSON needs a signing key';
    if (signingKey && signingKey.length < MIN_KEY_LENGTH) local.signingKey = `At least ${MIN_KEY_LENGTH} characters`;
    if (Object.keys(local).length > 0) return errors.setLocal(local);
    const secrets = { ...(url.trim() ? { url: url.trim() } : {}), ...(format === 'json' && signingKey ? { signingKey } : {}) };
    // In the order the outcomes are listed, whatever order they were ticked in.
    const ordered = outcomes.filter((o) => chosen.includes(o));
    save.mutate(existing ? { name, outcomes: ordered, ...secrets } : { name, format, outcomes: ordered, ...(secrets as { url: string }) });
  }

  const stateOf = (field: string) => (errors.errorFor(field) ? ('error' as const) : ('none' as const));
  const formLabel = existing ? `Edit webhook ${existing.name}` : 'Add a webhook';
  return (
    <form className={styles.form} onSubmit={submit} noValidate aria-label={formLabel}>
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
      <Field label="Name" required hint="What the webhook is, for people, e.g. #data-alerts." validationMessage={errors.errorFor('name')} validationState={stateOf('name')}>
        <Input value={name} maxLength={100} onChange={(_, data) => {
          setName(data.value);
          errors.clear('name');
        }} />
      </Field>
      {existing ? (
        <Text>Format: {formatLabels[existing.format]} (add another webhook for another format)</Text>
      ) : (
        <Field label="Format" validationMessage={errors.errorFor('format')} validationState={stateOf('format')}>
          <RadioGroup value={format} onChange={(_, data) => {
            setFormat(data.value as WebhookFormat);
            errors.clear('format');
            errors.clear('signingKey');
          }}>
            {formats.map((f) => (
              <Radio key={f} value={f} label={formatLabels[f]} />
            ))}
          </RadioGroup>
        </Field>
      )}
      {/* A fieldset, not a Field: a Field would lend its label to the first checkbox only. */}
      <fieldset className={styles.group} aria-describedby={errors.errorFor('outcomes') ? outcomesErrorId : undefined}>
        <legend className={styles.legend}>Notify when a run ends (required)</legend>
        {outcomes.map((o) => (
          <Checkbox
            key={o}
            label={outcomeLabels[o]}
            checked={chosen.includes(o)}
            onChange={(_, data) => {
              setChosen((c) => (data.checked ? [...c, o] : c.filter((x) => x !== o)));
              errors.clear('outcomes');
            }}
          />
        ))}
        {errors.errorFor('outcomes') ? (
          <Text id={outcomesErrorId} role="alert" size={200} block className={styles.error}>
            {errors.errorFor('outcomes')}
          </Text>
        ) : null}
      </fieldset>
      <Field
        label="Webhook URL"
        required={!existing}
        hint={existing ? `set (${formatTime(existing.url.updatedAt)}): leave empty to keep it` : 'Write-only: it embeds the receiver’s credential and is never shown again. https only.'}
        validationMessage={errors.errorFor('url')}
        validationState={stateOf('url')}
      >
        <Input type="password" autoComplete="off" value={url} onChange={(_, data) => {
          setUrl(data.value);
          errors.clear('url');
        }} />
      </Field>
      {format === 'json' ? (
        <Field
          label="Signing key"
          required={!existing?.signingKey.set}
          hint={
            existing?.signingKey.set
              ? 'set: leave empty to keep it'
              : `Write-only, at least ${MIN_KEY_LENGTH} characters. Each message carries X-Segment-Export-Signature: HMAC-SHA256 of "<timestamp>.<body>" with this key.`
          }
          validationMessage={errors.errorFor('signingKey')}
          validationState={stateOf('signingKey')}
        >
          <Input type="password" autoComplete="off" value={signingKey} onChange={(_, data) => {
            setSigningKey(data.value);
            errors.clear('signingKey');
          }} />
        </Field>
      ) : null}
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : existing ? 'Save webhook' : 'Add webhook'}
        </Button>
        {existing ? (
          <Button type="button" onClick={() => onDone()}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
