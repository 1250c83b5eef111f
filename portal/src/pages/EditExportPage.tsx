import { MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import { AddExportPage } from './AddExportPage.js';

/** The export form, filled in with the stored export; saving sends it with its ETag. */
export function EditExportPage() {
  const { id = '' } = useParams();
  const existing = useQuery({ queryKey: [...keys.exports, id], queryFn: () => unwrap(api.GET('/exports/{id}', { params: { path: { id } } })) });
  if (existing.isPending) return <Spinner label="Loading the export" />;
  if (existing.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{(existing.error as Error).message}</MessageBarBody>
      </MessageBar>
    );
  return <AddExportPage existing={existing.data} />;
}
