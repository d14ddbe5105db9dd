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
    {
      id: 'workspace-c-demo',
      mode: 'workspace',
      workspace: {
        project: 'C-MAKE',
        scenarios: ['run', 'test'],
        terminal: true,
        // The project keeps its Makefile read-only; input.txt (what Run feeds main) stays the
        // learner's to change. A C source needs no megabyte.
        fileBytes: 256 * 1024,
      },
      origins: ['self'],
      public: true,
    },
  ],
} as const;
