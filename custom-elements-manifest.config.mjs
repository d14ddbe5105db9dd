// `cem analyze` reads the element classes' doc comments (the contract) into dist/custom-elements.json.
export default {
  globs: ['src/elements/**/*.ts'],
  // The script-tag entry defines the tag with the lazy shell; the manifest describes the element
  // (SeSolve, which the define module registers), not the shell that turns into it.
  exclude: ['src/elements/**/*.test.ts', 'src/elements/define/all.ts'],
  outdir: 'dist',
  litelement: true,
  dependencies: false,
  plugins: [
    {
      // The analyzer also guesses events from `dispatchEvent(new X(arg))` calls, naming them after
      // the argument; the documented `@event` tags are the contract, so keep only those.
      name: 'se-documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules ?? [])
          for (const d of mod.declarations ?? [])
            if (d.events) d.events = d.events.filter((e) => e.name?.startsWith('se-'));
      },
    },
  ],
};
