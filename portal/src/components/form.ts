import { makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError, fieldMessage } from '../api/client.js';

export const useFormStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '640px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM },
  group: { border: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  legend: { fontWeight: tokens.fontWeightSemibold, marginBottom: tokens.spacingVerticalXS, padding: 0 },
  error: { color: tokens.colorPaletteRedForeground1 },
  statement: { padding: tokens.spacingHorizontalM, backgroundColor: tokens.colorNeutralBackground3, borderRadius: tokens.borderRadiusMedium },
});

/**
 * A form's errors: the client's own checks and the API's problem details in one place,
 * looked up by the dotted field name the API uses (`settings.advertiserId`).
 */
export function useFieldErrors() {
  const [local, setLocal] = useState<Record<string, string>>({});
  const [apiError, setApiError] = useState<unknown>();
  const errors = apiError instanceof ApiError ? apiError.problem.errors : undefined;
  return {
    errorFor: (field: string) => local[field] ?? fieldMessage(errors, field),
    /** The API's message when it names no field of this form (shown at the top). */
    general: apiError instanceof ApiError ? (errors?.length ? undefined : apiError.message) : apiError ? String((apiError as Error).message ?? apiError) : undefined,
    unplaced: (known: string[]) => (errors ?? []).filter((e) => !known.some((k) => e.field === k || e.field.startsWith(`${k}.`))),
    setLocal,
    setApiError,
    /** The user changed `field`: what was said about it (by the form or the API) no longer holds. */
    clear: (field: string) => {
      setLocal((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== field && !k.startsWith(`${field}.`))));
      if (apiError instanceof ApiError && apiError.problem.errors?.some((e) => e.field === field || e.field.startsWith(`${field}.`))) {
        const rest = apiError.problem.errors.filter((e) => e.field !== field && !e.field.startsWith(`${field}.`));
        setApiError(new ApiError(apiError.status, { ...apiError.problem, errors: rest }));
      }
    },
    reset: () => {
      setLocal({});
      setApiError(undefined);
    },
  };
}
