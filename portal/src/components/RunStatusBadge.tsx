import { Badge, type BadgeProps } from '@fluentui/react-components';

const colors: Record<string, BadgeProps['color']> = {
  queued: 'informative',
  pending: 'informative',
  running: 'brand',
  succeeded: 'success',
  'partially-succeeded': 'warning',
  failed: 'danger',
  skipped: 'subtle',
};

export const TERMINAL_STATUSES = new Set(['succeeded', 'partially-succeeded', 'failed', 'skipped']);

export function RunStatusBadge({ status }: { status: string }) {
  return (
    <Badge appearance="tint" color={colors[status] ?? 'informative'}>
      {status}
    </Badge>
  );
}
