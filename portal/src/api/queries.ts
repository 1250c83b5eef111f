import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.js';

/** The server state every page shares, one query key each, so a change in one place refreshes the others. */
export const keys = {
  me: ['me'] as const,
  destinations: ['destinations'] as const,
  connections: ['connections'] as const,
  exports: ['exports'] as const,
  dashboard: ['dashboard'] as const,
  segments: ['segments'] as const,
  schedule: ['schedule'] as const,
  runs: (exportId: string) => ['exports', exportId, 'runs'] as const,
  run: (runId: string) => ['runs', runId] as const,
  export: (exportId: string) => ['exports', exportId] as const,
  webhooks: (exportId: string) => ['exports', exportId, 'webhooks'] as const,
  audiences: (exportId: string) => ['exports', exportId, 'audiences'] as const,
  audienceHistory: (exportId: string, segment: string) => ['exports', exportId, 'audiences', segment, 'history'] as const,
  suppressions: ['suppressions'] as const,
  erasure: (erasureId: string) => ['erasures', erasureId] as const,
  audit: ['audit'] as const,
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

export const useExport = (exportId: string) =>
  useQuery({ queryKey: keys.export(exportId), queryFn: () => unwrap(api.GET('/exports/{id}', { params: { path: { id: exportId } } })) });

export const useWebhooks = (exportId: string) =>
  useQuery({ queryKey: keys.webhooks(exportId), queryFn: () => unwrap(api.GET('/exports/{id}/webhooks', { params: { path: { id: exportId } } })).then((r) => r.items) });

export const useAudiences = (exportId: string) =>
  useQuery({
    queryKey: keys.audiences(exportId),
    queryFn: () => unwrap(api.GET('/exports/{id}/audiences', { params: { path: { id: exportId } } })).then((r) => r.audiences),
  });

/** Every export's health for the home dashboard, refreshed while it is open so a run ending shows. */
export const useExportHealth = () =>
  useQuery({
    queryKey: keys.dashboard,
    queryFn: () => unwrap(api.GET('/dashboard', { params: { query: { top: TOP } } })),
    refetchInterval: 30_000,
  });
