import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The proxy lets `npx vite` (and `npx vite preview`, which serves dist/) talk
// to a locally running server; it does not affect the build. Point it
// elsewhere with NEXTSTACK_URL.
const backend = process.env.NEXTSTACK_URL ?? 'http://127.0.0.1:3001';
const proxy = {
  '/trpc': { target: backend, changeOrigin: false },
  '/api': { target: backend, changeOrigin: false },
};

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    // dist/ is committed and CI rebuilds it byte for byte: no sourcemaps, and
    // nothing in the output may depend on time or on where the repo lives.
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { proxy },
  // The built console under the policy the server sends with it
  // (crates/nextstack/src/http/admin_console.rs, outside production), so a
  // preview shows what would break there. The dev server's inline React
  // refresh preamble would not pass it, so only here.
  preview: {
    proxy,
    headers: {
      'Content-Security-Policy':
        "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data: blob: https: http:;connect-src 'self';base-uri 'self';form-action 'self';frame-ancestors 'none';object-src 'none';script-src-attr 'none'",
    },
  },
});
