// Lint: typescript-eslint, Lit's rules for the elements, the layering of ARCHITECTURE.md as
// import rules, and no focused or skipped tests.
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import tseslint from 'typescript-eslint';

const layers = ['shared', 'elements', 'embed', 'upstream', 'server', 'engine', 'cli'];
/** Import patterns that reach the given layers from anywhere under src/. */
const into = (names) =>
  names.flatMap((n) => [`../${n}/*`, `../../${n}/*`, `../../../${n}/*`, `../../../../${n}/*`]);
const allowed = {
  shared: [],
  elements: ['shared'],
  embed: ['shared'],
  upstream: ['shared'],
  server: ['shared', 'upstream'],
  engine: ['shared'],
  cli: ['shared', 'server', 'engine'],
};
const browser = new Set(['shared', 'elements', 'embed']);

const layering = layers.map((layer) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: into(layers.filter((l) => l !== layer && !allowed[layer].includes(l))),
            message: `src/${layer} may import only: ${['itself', ...allowed[layer]].join(', ')} (see ARCHITECTURE.md).`,
          },
          ...(browser.has(layer)
            ? [{ group: ['node:*'], message: `src/${layer} runs in browsers: no Node modules.` }]
            : []),
        ],
      },
    ],
  },
}));

const noFocusedOrSkipped = {
  files: ['test/**/*.ts', 'test/**/*.js', 'test/**/*.mjs'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector:
          "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(only|skip|todo)$/]",
        message:
          'Focused, skipped or todo tests are not allowed: a suite with them proves less than it claims.',
      },
      {
        selector: 'CallExpression[callee.name=/^(xit|xdescribe|fit|fdescribe)$/]',
        message: 'Focused or skipped tests are not allowed.',
      },
      {
        // the options object of it/test/describe/suite (a `skip` field of other data is fine)
        selector:
          'CallExpression[callee.name=/^(it|test|describe|suite)$/] > ObjectExpression > Property[key.name=/^(only|skip|todo)$/]',
        message: 'Test options only/skip/todo are not allowed.',
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'native/build/**',
      '.se-engine/**',
      '.test-results/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Buffer: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  { files: ['src/elements/**/*.ts'], ...lit.configs['flat/recommended'] },
  ...layering,
  noFocusedOrSkipped,
  {
    // The demo projects' learner files and hidden tests are CommonJS programs run by node, and a
    // template leaves its parameters for the learner to use.
    files: ['projects/**/*.{js,cjs}', 'test/fixtures/projects/**/*.{js,cjs}'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
);
