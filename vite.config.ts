import { defineConfig } from 'vite';

// The script-tag bundles (dist/cdn). `vite build` writes the module bundle `se-widgets.js`, whose
// heavy parts (language packs, the lint gutter) are chunks in dist/cdn/chunks loaded only when
// used; `vite build --mode classic` writes one classic-script file for pages that cannot use
// type="module". Not lib mode: lib mode keeps whitespace in ES output, and the script-tag bundle is
// consumed by browsers, not bundlers.
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
      minify: 'terser',
      terserOptions: { compress: { passes: 2 }, format: { comments: false } },
      sourcemap: true,
      reportCompressedSize: false,
      // The classic file inlines every language pack: large by design (documented).
      chunkSizeWarningLimit: classic ? 2000 : 500,
      modulePreload: false,
      rollupOptions: {
        // The module build also writes the iframe-embed scripts: the host SDK (se-embed.js) and
        // the embed page's own script (se-embed-frame.js).
        input: classic
          ? { 'se-widgets': 'src/elements/define/all.ts' }
          : {
              'se-widgets': 'src/elements/define/all.ts',
              'se-embed': 'src/embed/index.ts',
              'se-embed-frame': 'src/embed/frame.ts',
            },
        preserveEntrySignatures: 'allow-extension',
        output: classic
          ? {
              format: 'iife',
              name: 'SeWidgets',
              inlineDynamicImports: true,
              entryFileNames: 'se-widgets.classic.js',
            }
          : {
              format: 'es',
              entryFileNames: '[name].js',
              chunkFileNames: 'chunks/[name]-[hash].js',
            },
      },
    },
  };
});
