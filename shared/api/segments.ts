import { RestError } from '@azure/data-tables';
import type { Principal } from '../domain/principal.js';
import type { Segment } from '../domain/segment.js';
import { ValidationError } from '../errors.js';
import type { Page, PageQuery } from '../storage/paging.js';
import { requireRole } from './access.js';
import type { ApiServices } from './deps.js';

/** The segment catalog, for pickers: name, latest file, columns, rows, refreshed at. */
export async function listSegments(services: ApiServices, principal: Principal, query: PageQuery): Promise<Page<Segment>> {
  requireRole(principal, ['admin', 'contributor']);
  try {
    return await services.segments.list(query);
  } catch (error) {
    // The catalog pages with the table service's own tokens; a forged one fails to decode or is refused.
    if (query.continuation && (error instanceof SyntaxError || (error instanceof RestError && error.statusCode === 400))) {
      throw ValidationError.field('continuation', 'not a continuation token from this API; start again without it');
    }
    throw error;
  }
}
