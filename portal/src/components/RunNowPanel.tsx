import { Button, Checkbox, Field } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.js';
import { keys } from '../api/queries.js';
import type { Export } from '../api/types.js';
import { RunNowError } from './RunNowError.js';

export const FULL_SYNC_HINT =
  'Sends the whole membership and leaves the audience exactly equal to the segment, removing members added outside the app (by hand at the destination, or by another tool). A normal run sends only the changes since the last one.';

/** Run now, optionally as a full sync; a run already active is named with a link instead of a second one. */
export function RunNowPanel({ exp }: { exp: Export }) {
  const [full, setFull] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () => unwrap(api.POST('/exports/{id}/run', { params: { path: { id: exp.id } }, body: { full } })),
    onSuccess: async (started) => {
      await queryClient.invalidateQueries({ queryKey: keys.runs(exp.id) });
      navigate(`/runs/${started.run.id}`);
    },
  });
  return (
    <>
      <Field hint={FULL_SYNC_HINT}>
        <Checkbox label="Full sync" checked={full} onChange={(_, data) => setFull(data.checked === true)} />
      </Field>
      <div>
        <Button appearance="primary" onClick={() => run.mutate()} disabled={!exp.enabled || run.isPending}>
          {run.isPending ? 'Starting…' : full ? 'Run a full sync now' : 'Run now'}
        </Button>
      </div>
      {!exp.enabled ? <p>The export is disabled{exp.disabledReason ? ` (${exp.disabledReason})` : ''}: enable it to run it.</p> : null}
      {run.error ? <RunNowError error={run.error} /> : null}
    </>
  );
}
