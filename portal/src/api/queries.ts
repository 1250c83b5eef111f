import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';

/** The server state every page shares, one query key each, so a change in one place refreshes the others. */
export const keys = {
  me: ['me'] as const,
  destinations: ['destinations'] as const,
  connections: ['connections'] as const,
  exports: ['exports'] as const,
  segments: ['segments'] as const,
  schedule: ['schedule'] as const,
  runs: (exportId: string) => ['exports', exportId, 'runs'] as const,
  run: (runId: string) => ['runs', runId] as const,
};

const TOP = 1000;

export const useDestinations = () =>
  useQuery({ queryKey: keys.destinations, queryFn: () => unwrap(api.GET('/destinations')).then((r) => r.items), staleTime: 5 * 60_000 });

export const useConnections = () =>
  useQuery({ queryKey: keys.connections, queryFn: () => unwrap(api.GET('/connections', { params: { query: { top: TOP } } })).then((r) => r.items) });

export const useExports = () =>
  useQuery({ queryKey: keys.exports, queryFn: () => unwrap(api.GET('/exports', { params: { query: { top: TOP } } })).then((r) => r.items) });

export const useSegments = () =>
  useQuery({ queryKey: keys.segments, queryFn: () => unwrap(api.GET('/segments', { params: { query: { top: TOP } } })).then((r) => r.items) });

export const useRuns = (exportId: string, options: { refetchInterval?: number } = {}) =>
  useQuery({
    queryKey: keys.runs(exportId),
    queryFn: () => unwrap(api.GET('/exports/{id}/runs', { params: { path: { id: exportId }, query: { top: 50 } } })).then((r) => r.items),
    ...options,
  });
