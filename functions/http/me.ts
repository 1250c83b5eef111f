import { z } from 'zod';
import { principalSchema } from '../../shared/domain/principal.js';
import { defineRoute, registerRoutes } from './route.js';

/**
 * GET /api/me: who the API takes the caller to be. The portal shows or hides admin actions
 * from these roles (the other routes still check them), and it is the same in Azure and
 * locally, unlike App Service's /.auth/me.
 */
export const meRoutes = [
  defineRoute({
    name: 'getMe',
    method: 'GET',
    path: 'me',
    tag: 'meta',
    roles: ['admin', 'contributor'],
    summary: 'The calling principal and its roles',
    responses: { 200: { description: 'The caller', schema: principalSchema.extend({ userDetails: z.string() }) } },
    handle: async ({ principal }) => ({ body: { userId: principal.userId, userDetails: principal.userDetails, roles: principal.roles } }),
  }),
];

registerRoutes(meRoutes);
