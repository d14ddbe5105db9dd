import { defineConfig } from 'vite';

// Builds demo/app/main.ts as an app would (resolving 'se-widgets/se-solve.js' through the package's
// exports) into dist/demo-app/, served by the backend at /dist/demo-app/.
export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist/demo-app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    modulePreload: false,
    rollupOptions: {
      input: { main: 'demo/app/main.ts' },
      preserveEntrySignatures: 'allow-extension',
      output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
