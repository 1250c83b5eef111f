import { z } from 'zod';

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  continuation?: string;
}

export const pageQuerySchema = z.object({
  top: z.coerce.number().int().min(1).max(1000).default(100),
  continuation: z.string().max(2048).optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;
