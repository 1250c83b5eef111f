import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { HashRouter, Navigate, Route, Routes } from 'react-router';
import { IdentityProvider } from './auth/identity.js';
import { AdminOnly } from './components/AdminOnly.js';
import { Layout } from './components/Layout.js';
import { AddConnectionPage } from './pages/AddConnectionPage.js';
import { AddExportPage } from './pages/AddExportPage.js';
import { ConnectionsPage } from './pages/ConnectionsPage.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { EditConnectionPage } from './pages/EditConnectionPage.js';
import { EditExportPage } from './pages/EditExportPage.js';
import { ExportRunsPage } from './pages/ExportRunsPage.js';
import { ExportPage } from './pages/ExportPage.js';
import { ExportsPage } from './pages/ExportsPage.js';
import { PrivacyPage } from './pages/PrivacyPage.js';
import { RunPage } from './pages/RunPage.js';
import { SchedulePage } from './pages/SchedulePage.js';
import { SegmentsPage } from './pages/SegmentsPage.js';

export function createQueryClient(): QueryClient {
  // A 4xx will not change by asking again; only network trouble and 5xx are retried.
  return new QueryClient({
    defaultOptions: {
      queries: { retry: (count, error) => count < 2 && !((error as { status?: number }).status! < 500), refetchOnWindowFocus: false },
    },
  });
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<DashboardPage />} />
        <Route path="connections" element={<ConnectionsPage />} />
        <Route path="connections/new" element={<AdminOnly page="Add connection"><AddConnectionPage /></AdminOnly>} />
        <Route path="connections/:id/edit" element={<AdminOnly page="Edit connection"><EditConnectionPage /></AdminOnly>} />
        <Route path="exports" element={<ExportsPage />} />
        <Route path="exports/new" element={<AddExportPage />} />
        <Route path="exports/:id" element={<ExportPage />} />
        <Route path="exports/:id/edit" element={<EditExportPage />} />
        <Route path="exports/:id/runs" element={<ExportRunsPage />} />
        <Route path="runs/:id" element={<RunPage />} />
        <Route path="segments" element={<SegmentsPage />} />
        <Route path="schedule" element={<AdminOnly page="Schedule"><SchedulePage /></AdminOnly>} />
        <Route path="privacy" element={<AdminOnly page="Privacy"><PrivacyPage /></AdminOnly>} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <FluentProvider theme={webLightTheme} style={{ minHeight: '100vh' }}>
      <QueryClientProvider client={createQueryClient()}>
        <IdentityProvider>
          <HashRouter>
            <AppRoutes />
          </HashRouter>
        </IdentityProvider>
      </QueryClientProvider>
    </FluentProvider>
  );
}
