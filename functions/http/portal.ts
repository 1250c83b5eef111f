import path from 'node:path';
import { app } from '@azure/functions';
import { loadConfig } from '../../shared/config.js';
import { readStaticFile } from '../../shared/api/static-files.js';

/**
 * The portal (portal/dist, built by `npm run build`) served by the Function App itself, at
 * /api/portal/: same origin as the API, behind the same App Service authentication, and
 * deployed with the app. Not part of the OpenAPI document: these are pages, not API.
 */
const PORTAL_DIST = path.resolve(__dirname, '../../../portal/dist');
// Under tsx (local host, tests) this file runs from functions/http, not dist/functions/http.
const DIST = __dirname.includes(`${path.sep}dist${path.sep}`) ? PORTAL_DIST : path.resolve(__dirname, '../../portal/dist');

app.http('portalConfig', {
  route: 'portal/config.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  // The development switch (act as admin or contributor) only where the app itself trusts a development principal.
  handler: async () => ({ jsonBody: { development: Boolean(loadConfig().devPrincipal) }, headers: { 'cache-control': 'no-store' } }),
});

app.http('portal', {
  route: 'portal/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const file = await readStaticFile(DIST, request.params.path);
    if (!file) return { status: 404, body: 'The portal is not built: run `npm run build`.' };
    return {
      body: file.body,
      headers: {
        'content-type': file.contentType,
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
      },
    };
  },
});
