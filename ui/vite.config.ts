import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built files are served by the query port (src/query/ui); `npm run dev:ui` proxies the APIs to a
// local server so the app can be developed with hot reload.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The polyfill would be an inline script, which the Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': process.env.ARIADNE_QUERY_URL ?? 'http://127.0.0.1:16686' },
  },
});
