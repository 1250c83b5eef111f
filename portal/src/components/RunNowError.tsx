import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { ApiError } from '../api/client.js';

/** A "run now" the API refused: a run already active is named with a link to it, anything else as the API worded it. */
export function RunNowError({ error }: { error: Error }) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  const activeRunId = typeof problem?.activeRunId === 'string' ? problem.activeRunId : undefined;
  return activeRunId ? (
    <MessageBar intent="warning">
      <MessageBarBody>
        A run of this export is already active: <a href={`#/runs/${activeRunId}`}>follow the active run</a>.
      </MessageBarBody>
    </MessageBar>
  ) : (
    <MessageBar intent="error">
      <MessageBarBody>{error.message}</MessageBarBody>
    </MessageBar>
  );
}
