import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useIdentity } from '../auth/identity.js';
import { PageHeading } from './PageHeading.js';

/** Admin pages: anyone else gets a page that says so (the API refuses them with 403 in any case). */
export function AdminOnly({ page, children }: { page: string; children: ReactNode }) {
  const { isAdmin, loading } = useIdentity();
  if (loading) return null;
  if (isAdmin) return <>{children}</>;
  return (
    <>
      <PageHeading>{page}</PageHeading>
      <MessageBar intent="warning">
        <MessageBarBody>
          <MessageBarTitle>Admins only</MessageBarTitle>
          This page needs the admin role. Ask an admin of the data platform if you need it.
        </MessageBarBody>
      </MessageBar>
    </>
  );
}
