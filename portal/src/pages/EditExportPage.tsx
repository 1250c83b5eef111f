import { MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import { useParams } from 'react-router';
import { useExport } from '../api/queries.js';
import { AddExportPage } from './AddExportPage.js';

/** The export form, filled in with the stored export; saving sends it with its ETag. */
export function EditExportPage() {
  const { id = '' } = useParams();
  const existing = useExport(id);
  if (existing.isPending) return <Spinner label="Loading the export" />;
  if (existing.error)
    return (
      <MessageBar intent="error">
        <MessageBarBody>{(existing.error as Error).message}</MessageBarBody>
      </MessageBar>
    );
  return <AddExportPage existing={existing.data} />;
}
