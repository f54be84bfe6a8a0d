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
  preview: { proxy },
});
