import { buildOpenApiDocument } from '../../shared/api/openapi.js';
import { defineRoute, registerRoutes, registeredRoutes } from './route.js';

/**
 * GET /api/openapi.json, built on request from every route registered through the
 * adapter (ours and any added later), so the document always matches what is served.
 */
export function openApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(registeredRoutes(), {
    title: 'segment-export',
    version: '1',
    description: 'Exports customer segments to AdRoll, RollWorks, Microsoft Advertising and Autopilot.',
  });
}

export const openApiRoutes = [
  defineRoute({
    name: 'openApiDocument',
    method: 'GET',
    path: 'openapi.json',
    tag: 'meta',
    roles: 'public',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: { 200: { description: 'The OpenAPI document' } },
    handle: async () => ({ body: openApiDocument() }),
  }),
];

registerRoutes(openApiRoutes);
