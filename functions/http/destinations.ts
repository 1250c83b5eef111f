import { z } from 'zod';
import { destinationCatalog } from '../../shared/api/destinations.js';
import { destinationCatalogEntrySchema } from '../../shared/api/schemas.js';
import { defineRoute, registerRoutes } from './route.js';

export const destinationRoutes = [
  defineRoute({
    name: 'listDestinations',
    method: 'GET',
    path: 'destinations',
    tag: 'destinations',
    roles: ['admin', 'contributor'],
    summary: 'The destination catalog',
    description: 'Per destination: credential fields and export settings as JSON Schema, the profile fields it takes, and its limits.',
    responses: { 200: { description: 'Every destination', schema: z.object({ items: z.array(destinationCatalogEntrySchema) }) } },
    handle: async () => ({ body: { items: destinationCatalog() } }),
  }),
];

registerRoutes(destinationRoutes);
