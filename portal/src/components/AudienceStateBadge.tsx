import { Badge } from '@fluentui/react-components';
import type { AudienceState } from '../api/types.js';
import { stateColors, stateLabels } from './audience-labels.js';

export function AudienceStateBadge({ state }: { state: AudienceState }) {
  return (
    <Badge appearance="tint" color={stateColors[state]}>
      {stateLabels[state]}
    </Badge>
  );
}
