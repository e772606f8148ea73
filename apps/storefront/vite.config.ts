import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite build` writes dist/ (index.html and hashed files under assets/), which server.mjs serves.
// `vite` serves it in development with the store's Medusa paths proxied to MEDUSA_TARGET (default :9000),
// the same origin the ingress gives it in a cluster.
const target = process.env.MEDUSA_TARGET ?? 'http://127.0.0.1:9000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: Object.fromEntries(['/store', '/storefront', '/auth'].map((path) => [path, { target }])),
  },
});
