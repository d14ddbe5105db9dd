import { defineConfig } from 'vite';

// The script-tag bundles (dist/cdn). `vite build` writes the module bundle `se-widgets.js`: a small
// shell that defines the elements and draws placeholders; the element's code (editor included) and
// each language pack are chunks in dist/cdn/chunks, loaded when a widget nears the viewport or when
// a language is picked. `vite build --mode classic` writes `se-widgets.classic.js`, a classic
// script that adds that same module bundle to the page. `vite build --mode sdk` writes `se-sdk.js`,
// the classic script the backend serves at /static/sdk/sdk.js for pages written for the hosted
// service's JS SDK (src/embed/sdk.ts). Not lib mode: lib mode keeps whitespace in
// ES output, and the script-tag bundle is consumed by browsers, not bundlers.
export default defineConfig(({ mode }) => {
  const classic = mode === 'classic';
  const sdk = mode === 'sdk';
  return {
    publicDir: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: 'dist/cdn',
      emptyOutDir: !classic && !sdk,
      target: 'es2022',
      minify: 'terser',
      terserOptions: { compress: { passes: 2 }, format: { comments: false } },
      sourcemap: true,
      reportCompressedSize: false,
      modulePreload: false,
      rollupOptions: {
        // The module build also writes the iframe-embed scripts: the host SDK (se-embed.js) and
        // the embed page's own script (se-embed-frame.js).
        input: sdk
          ? { 'se-sdk': 'src/embed/sdk.ts' }
          : classic
            ? { 'se-widgets': 'src/embed/classic.ts' }
            : {
                'se-widgets': 'src/elements/define/all.ts',
                'se-embed': 'src/embed/index.ts',
                'se-embed-frame': 'src/embed/frame.ts',
              },
        preserveEntrySignatures: 'allow-extension',
        output: sdk
          ? { format: 'iife', entryFileNames: 'se-sdk.js' }
          : classic
            ? {
                format: 'iife',
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
