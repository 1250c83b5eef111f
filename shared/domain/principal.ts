import { z } from 'zod';

export const roles = ['admin', 'contributor'] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as App Service authentication describes them in `x-ms-client-principal`. */
export const principalSchema = z.object({
  userId: z.string().min(1),
  userDetails: z.string().default(''),
  roles: z.array(z.enum(roles)),
});
export type Principal = z.infer<typeof principalSchema>;
