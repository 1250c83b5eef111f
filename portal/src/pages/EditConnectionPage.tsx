import { Button, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Spinner, Text } from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys, useDestinations } from '../api/queries.js';
import { useFieldErrors, useFormStyles } from '../components/form.js';
import { formatTime } from '../components/format.js';
import { PageHeading } from '../components/PageHeading.js';
import { labelOf, type ObjectSchema } from '../components/SchemaFields.js';

/**
 * Changes a connection. Credentials are write-only: the fields stay empty and say "set";
 * typing replaces all of them (and makes you the export user), leaving them empty keeps them.
 */
export function EditConnectionPage() {
  const styles = useFormStyles();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errors = useFieldErrors();
  const destinations = useDestinations();
  const connection = useQuery({ queryKey: [...keys.connections, id], queryFn: () => unwrap(api.GET('/connections/{id}', { params: { path: { id } } })) });
  const [displayName, setDisplayName] = useState('');
  const [audience, setAudience] = useState<'admins' | 'contributors'>('admins');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!connection.data) return;
    setDisplayName(connection.data.displayName);
    setAudience(connection.data.allowContributors ? 'contributors' : 'admins');
  }, [connection.data]);

  const save = useMutation({
    mutationFn: (body: { displayName?: string; allowContributors?: boolean; credentials?: Record<string, string> }) =>
      unwrap(api.PATCH('/connections/{id}', { params: { path: { id } }, body, headers: { 'If-Match': connection.data?.etag ?? '*' } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.connections });
      navigate('/connections');
    },
    onError: (error) => errors.setApiError(error),
  });

  if (connection.isPending || destinations.isPending) return <Spinner label="Loading the connection" />;
  if (connection.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{(connection.error as Error).message}</MessageBarBody>
      </MessageBar>
    );
  const c = connection.data;
  const destination = destinations.data?.find((d) => d.type === c.type);
  const schema = (destination?.credentials ?? {}) as ObjectSchema;

  function submit(event: FormEvent) {
    event.preventDefault();
    errors.reset();
    if (!displayName.trim()) return errors.setLocal({ displayName: 'Display name is required' });
    const typed = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v.trim() !== ''));
    save.mutate({
      ...(displayName !== c.displayName ? { displayName } : {}),
      ...((audience === 'contributors') !== c.allowContributors ? { allowContributors: audience === 'contributors' } : {}),
      ...(Object.keys(typed).length ? { credentials: typed } : {}),
    });
  }
  const stateOf = (field: string) => (errors.errorFor(field) ? ('error' as const) : ('none' as const));
  const setHint = c.credentials.set ? `set${c.credentials.updatedAt ? ` (${formatTime(c.credentials.updatedAt)})` : ''}: leave empty to keep` : 'not set';
  return (
    <>
      <PageHeading>{`Edit connection: ${c.displayName}`}</PageHeading>
      <form className={styles.form} onSubmit={submit} noValidate aria-label="Edit connection">
        {errors.general ? (
          <MessageBar intent="error">
            <MessageBarBody>{errors.general}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Text>
          {destination?.displayName ?? c.type}. Export user: {c.exportUser.userDetails || c.exportUser.userId}.
        </Text>
        <Field label="Display name" required validationMessage={errors.errorFor('displayName')} validationState={stateOf('displayName')}>
          <Input value={displayName} maxLength={100} onChange={(_, data) => {
            setDisplayName(data.value);
            errors.clear('displayName');
          }} />
        </Field>
        <Field label="Who can use it">
          <RadioGroup value={audience} onChange={(_, data) => setAudience(data.value as 'admins' | 'contributors')}>
            <Radio value="admins" label="Administrators" />
            <Radio value="contributors" label="Administrators and contributors" />
          </RadioGroup>
        </Field>
        <fieldset className={styles.group}>
          <legend className={styles.legend}>Credentials (write-only; new ones replace the stored ones and make you the export user)</legend>
          {Object.entries(schema.properties ?? {}).map(([name, property]) => {
            const error = errors.errorFor(`credentials.${name}`);
            return (
              <Field key={name} label={labelOf(name)} hint={`${setHint}. ${property.description ?? ''}`} validationMessage={error} validationState={error ? 'error' : 'none'}>
                <Input type="password" autoComplete="off" placeholder={c.credentials.set ? 'set' : ''} value={credentials[name] ?? ''} onChange={(_, data) => setCredentials((v) => ({ ...v, [name]: data.value }))} />
              </Field>
            );
          })}
        </fieldset>
        <div className={styles.actions}>
          <Button appearance="primary" type="submit" disabled={save.isPending}>
            Save changes
          </Button>
          <Button type="button" onClick={() => navigate('/connections')}>
            Cancel
          </Button>
        </div>
      </form>
    </>
  );
}
