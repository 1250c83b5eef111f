import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from './api-types.js';

it('the committed API types match the OpenAPI document the app serves (run `npm run generate:api -w portal` when this fails)', async () => {
  const committed = readFileSync(API_TYPES_FILE, 'utf8');
  const fresh = await generateApiTypes();
  expect(committed).toContain('"/connections": {');
  expect(committed === fresh, 'portal/src/api/schema.d.ts is stale').toBe(true);
});
