// `cem analyze` reads the element classes' doc comments (the contract) into dist/custom-elements.json.
export default {
  globs: ['src/elements/**/*.ts'],
  exclude: ['src/elements/**/*.test.ts'],
  outdir: 'dist',
  litelement: true,
  dependencies: false,
};
