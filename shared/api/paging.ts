import { z } from 'zod';
import { pageQuerySchema } from '../storage/paging.js';

/** `?top=&continuation=` of every list route. */
export const listQuerySchema = pageQuerySchema.extend({
  top: pageQuerySchema.shape.top.describe('Items per page (1-1000, default 100).'),
  continuation: pageQuerySchema.shape.continuation.describe('The `continuation` of the previous page.'),
});

/** A page of `item`s; `continuation` is present while there are more. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    continuation: z.string().optional().describe('Pass as `?continuation=` for the next page; absent on the last page.'),
  });
}
