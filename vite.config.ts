import { defineConfig } from 'vite';

// The script-tag bundles (dist/cdn). `vite build` writes the module bundle, whose heavy parts
// (language packs) are chunks loaded only when used; `vite build --mode classic` writes a single
// classic-script file for pages that cannot use type="module".
export default defineConfig(({ mode }) => {
  const classic = mode === 'classic';
  return {
    publicDir: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: 'dist/cdn',
      emptyOutDir: !classic,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      reportCompressedSize: false,
      lib: {
        entry: 'src/elements/define/all.ts',
        formats: [classic ? 'iife' : 'es'],
        name: 'SeWidgets',
        fileName: () => (classic ? 'se-widgets.classic.js' : 'se-widgets.js'),
      },
      rollupOptions: {
        output: classic
          ? { inlineDynamicImports: true }
          : { chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  };
});
