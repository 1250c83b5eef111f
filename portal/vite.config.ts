import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The portal is served by the Function App at /api/portal/ (functions/http/portal.ts), so
 * asset URLs are relative. `npm run dev -w portal` serves it with hot reload and sends /api
 * to the local host that `npm start` runs (PORTAL_API_URL to point elsewhere).
 */
const API_URL = process.env.PORTAL_API_URL ?? 'http://127.0.0.1:7071';

export default defineConfig({
  base: './',
  plugins: [react()],
  // Recharts reads elements with react-is, which must match React's version (its README); npm
  // hoists an older react-is for other packages, so the portal's own copy is the one bundled.
  resolve: { dedupe: ['react-is'] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': API_URL,
      // Served beside the portal's files in production; here the page is at / instead of /api/portal/.
      '/config.json': { target: API_URL, rewrite: () => '/api/portal/config.json' },
    },
  },
});
