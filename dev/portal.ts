import path from 'node:path';

/** The portal's folder; its build (portal/dist) is what functions/http/portal.ts serves. */
export const PORTAL_ROOT = path.resolve(__dirname, '../portal');

/**
 * Builds the portal with Vite (about two seconds), so `npm start` and the browser tests
 * always serve the current sources, exactly as they are deployed.
 */
export async function buildPortal(): Promise<void> {
  // Vite is ESM-only; this file runs as CommonJS.
  const { build } = (await import('vite')) as typeof import('vite');
  await build({ root: PORTAL_ROOT, configFile: path.join(PORTAL_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
