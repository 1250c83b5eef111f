import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';
import type { Connection, Destination, Me } from '../api/types.js';
import { StaticIdentity, type Identity } from '../auth/identity.js';

const REPLY = Symbol('reply');
interface Reply {
  [REPLY]: true;
  status: number;
  body: unknown;
}
/** An answer other than 200 with JSON, e.g. `reply(400, problem)`. */
export const reply = (status: number, body: unknown): Reply => ({ [REPLY]: true, status, body });

/**
 * What the API would answer, by "METHOD /path" (below /api): a 200 body, a reply(), or a
 * function of the request's query string returning either.
 */
export type FakeRoutes = Record<string, unknown>;

/** Stands in for the API at the fetch boundary and records every request the page sent. */
export function fakeApi(routes: FakeRoutes) {
  const requests: { method: string; path: string; query: string; body: unknown; headers: Record<string, string> }[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const path = url.pathname.replace(/^\/api/, '');
    const text = input.method === 'GET' ? '' : await input.text();
    requests.push({ method: input.method, path, query: url.search, body: text ? JSON.parse(text) : undefined, headers: Object.fromEntries([...input.headers.entries()].map(([k, v]) => [k.toLowerCase(), v])) });
    const key = `${input.method} ${path}`;
    const answer = key in routes ? routes[key] : reply(404, { type: 'about:blank', title: 'Not Found', status: 404 });
    const route = typeof answer === 'function' ? (answer as (query: URLSearchParams) => unknown)(url.searchParams) : answer;
    const { status, body } = typeof route === 'object' && route !== null && REPLY in route ? (route as Reply) : { status: 200, body: route };
    const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
  });
  return requests;
}

export function identityOf(role: 'admin' | 'contributor'): Identity {
  const me: Me = { userId: `user-${role}`, userDetails: `${role}@example.com`, roles: [role] };
  return { me, isAdmin: role === 'admin', hasRole: (r) => me.roles.includes(r), loading: false, error: undefined };
}

export function renderPage(ui: ReactElement, options: { role?: 'admin' | 'contributor'; route?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={client}>
        <StaticIdentity identity={identityOf(options.role ?? 'admin')}>
          <MemoryRouter initialEntries={[options.route ?? '/']}>{ui}</MemoryRouter>
        </StaticIdentity>
      </QueryClientProvider>
    </FluentProvider>,
  );
}

/** Two catalog entries in the shape GET /api/destinations answers with (typed by the generated schema). */
export const catalog: Destination[] = [
  {
    type: 'autopilot',
    displayName: 'Autopilot',
    description: 'Autopilot contact lists.',
    privacyStatement: 'Email addresses leave this platform for Autopilot.',
    credentials: { type: 'object', properties: { apiKey: { type: 'string', description: 'Autopilot API key.' } }, required: ['apiKey'] },
    settings: { type: 'object', properties: {} },
    dataMatching: { required: ['email'], optional: ['firstName', 'lastName'] },
    identifiers: { accepted: ['email', 'firstName', 'lastName'], matchSets: [['email']], encoding: { email: 'plain', firstName: 'plain', lastName: 'plain' } },
    limits: { maxTotalPerExport: 100_000, batchSize: 100 },
  },
  {
    type: 'microsoft-advertising',
    displayName: 'Microsoft Advertising',
    description: 'Customer Match audiences.',
    privacyStatement: 'SHA-256 hashes leave this platform for Microsoft Advertising.',
    credentials: { type: 'object', properties: { refreshToken: { type: 'string' } }, required: ['refreshToken'] },
    settings: {
      type: 'object',
      properties: { customerId: { type: 'string', description: 'Customer id (cid).' }, accountId: { type: 'string', description: 'Account id (aid).' } },
      required: ['customerId', 'accountId'],
    },
    dataMatching: { required: ['email'], optional: [] },
    identifiers: { accepted: ['email'], matchSets: [['email']], encoding: { email: 'sha256-hex' } },
    limits: { maxPerSegment: 500_000, batchSize: 1000 },
  },
];

const someone = { userId: 'user-admin', userDetails: 'admin@example.com' };
/** A connection as GET /api/connections lists it. */
export function connection(id: string, type: Destination['type'], displayName: string, allowContributors: boolean): Connection {
  return {
    id,
    type,
    displayName,
    allowContributors,
    consent: { accepted: true, acceptedBy: someone, acceptedAt: '2026-12-01T10:00:00.000Z' },
    exportUser: someone,
    credentials: { set: true, updatedAt: '2026-12-01T10:00:00.000Z' },
    createdBy: someone,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
  };
}
