import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  Text,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys, useDestinations } from '../api/queries.js';
import type { ConnectionInput, DestinationType } from '../api/types.js';
import { useIdentity } from '../auth/identity.js';
import { useFieldErrors, useFormStyles } from '../components/form.js';
import { PageHeading } from '../components/PageHeading.js';
import { missingRequired, SchemaFields, type ObjectSchema } from '../components/SchemaFields.js';

const KNOWN_FIELDS = ['type', 'displayName', 'credentials', 'allowContributors', 'consent'];

export function AddConnectionPage() {
  const styles = useFormStyles();
  const destinations = useDestinations();
  const { me } = useIdentity();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = useFieldErrors();

  const [type, setType] = useState<DestinationType | ''>('');
  const [displayName, setDisplayName] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [audience, setAudience] = useState<'admins' | 'contributors'>('admins');
  const [consent, setConsent] = useState(false);
  const [exportUser, setExportUser] = useState(true);

  const destination = destinations.data?.find((d) => d.type === type);
  const create = useMutation({
    mutationFn: (body: ConnectionInput) => unwrap(api.POST('/connections', { body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.connections });
      navigate('/connections', { state: { added: displayName } });
    },
    onError: (error) => errors.setApiError(error),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.reset();
    const local: Record<string, string> = {};
    if (!type) local.type = 'Choose a destination';
    if (!displayName.trim()) local.displayName = 'Display name is required';
    if (destination) Object.assign(local, missingRequired(destination.credentials as ObjectSchema, credentials, 'credentials'));
    // Saving makes the caller the export user (the API records who saved the credentials).
    if (!exportUser) local.exportUser = 'A connection needs an export user: saving adds you';
    if (Object.keys(local).length > 0) return errors.setLocal(local);
    // Consent is checked by the API, which refuses a connection without it and says so for that field.
    create.mutate({ type: type as DestinationType, displayName, credentials, allowContributors: audience === 'contributors', consent: consent as true });
  }

  if (destinations.isPending) return <Spinner label="Loading destinations" />;
  const stateOf = (field: string) => (errors.errorFor(field) ? ('error' as const) : ('none' as const));
  return (
    <>
      <PageHeading>Add connection</PageHeading>
      <form className={styles.form} onSubmit={submit} noValidate aria-label="Add connection">
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
        <Field label="Destination" required validationMessage={errors.errorFor('type')} validationState={stateOf('type')} hint={destination?.description}>
          <Select
            value={type}
            onChange={(_, data) => {
              setType(data.value as DestinationType);
              setCredentials({});
              errors.clear('type');
              errors.clear('credentials');
            }}
          >
            <option value="">Choose a destination</option>
            {destinations.data?.map((d) => (
              <option key={d.type} value={d.type}>
                {d.displayName}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Display name" required validationMessage={errors.errorFor('displayName')} validationState={stateOf('displayName')} hint="Unique among connections of the same destination.">
          <Input value={displayName} maxLength={100} onChange={(_, data) => {
            setDisplayName(data.value);
            errors.clear('displayName');
          }} />
        </Field>
        {destination ? (
          <fieldset className={styles.form} style={{ border: 'none', padding: 0, margin: 0 }}>
            <legend>
              <Text weight="semibold">Credentials (write-only: never shown again after saving)</Text>
            </legend>
            <SchemaFields schema={destination.credentials as ObjectSchema} prefix="credentials" values={credentials} onChange={(values, field) => {
              setCredentials(values);
              errors.clear(`credentials.${field}`);
            }} errorFor={errors.errorFor} secret />
          </fieldset>
        ) : null}
        <Field label="Who can use it" validationMessage={errors.errorFor('allowContributors')} validationState={stateOf('allowContributors')}>
          <RadioGroup value={audience} onChange={(_, data) => setAudience(data.value as 'admins' | 'contributors')}>
            <Radio value="admins" label="Administrators" />
            <Radio value="contributors" label="Administrators and contributors" />
          </RadioGroup>
        </Field>
        {destination ? (
          <section aria-labelledby="privacy-heading" className={styles.statement}>
            <Text as="h2" id="privacy-heading" weight="semibold" block>
              Data privacy: {destination.displayName}
            </Text>
            <Text as="p" block>
              {destination.privacyStatement}
            </Text>
          </section>
        ) : null}
        <Field validationMessage={errors.errorFor('consent')} validationState={stateOf('consent')} required>
          <Checkbox label="I agree that segment data leaves this platform for the destination, as described above" checked={consent} onChange={(_, data) => {
            setConsent(data.checked === true);
            errors.clear('consent');
          }} />
        </Field>
        <Field validationMessage={errors.errorFor('exportUser')} validationState={stateOf('exportUser')}>
          <Checkbox label={`Add yourself (${me?.userDetails || me?.userId || 'you'}) as export user`} checked={exportUser} onChange={(_, data) => {
            setExportUser(data.checked === true);
            errors.clear('exportUser');
          }} />
        </Field>
        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Save connection'}
          </Button>
          <Button type="button" onClick={() => navigate('/connections')}>
            Cancel
          </Button>
        </div>
      </form>
    </>
  );
}
