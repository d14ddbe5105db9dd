/**
 * The configuration used when `se-widgets serve` gets no `--config`: the demo widgets, public,
 * usable from the backend's own pages. It doubles as an example of the file format.
 */
export const defaultConfigJson = {
  widgets: [
    {
      id: 'run-demo',
      mode: 'run',
      compilers: 'all',
      defaultCompiler: 116,
      display: { perTestResults: false, output: true, expectedVsGot: false },
      origins: ['self'],
      public: true,
    },
    {
      id: 'problem-demo',
      mode: 'problem',
      problem: 'SUMTWO',
      compilers: 'all',
      defaultCompiler: 116,
      display: { perTestResults: true, output: true, expectedVsGot: true },
      origins: ['self'],
      public: true,
    },
    {
      id: 'workspace-demo',
      mode: 'workspace',
      workspace: {
        project: 'PYTHON-UNITTEST',
        scenarios: ['run', 'test'],
        terminal: true,
      },
      origins: ['self'],
      public: true,
    },
  ],
} as const;
