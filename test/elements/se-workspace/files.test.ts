import { expect } from '@open-wc/testing';
import {
  buildTree,
  languageOfPath,
  stageMarks,
  visibleRows,
} from '../../../src/elements/se-workspace/files.js';
import '../report-failures.js';

const entry = (path: string, type: 'file' | 'dir' = 'file', readOnly = false) => ({
  path,
  type,
  size: 1,
  readOnly,
});

describe('<se-workspace> file helpers', () => {
  it('builds the tree: folders first, then files by name, parents made up when missing', () => {
    const roots = buildTree([
      entry('z.py'),
      entry('src/b.c'),
      entry('src', 'dir'),
      entry('a.txt', 'file', true),
      entry('lib/deep/x.h'),
    ]);
    expect(roots.map((n) => n.path)).to.deep.equal(['lib', 'src', 'a.txt', 'z.py']);
    expect(roots[0].children[0].path).to.equal('lib/deep');
    expect(roots[0].children[0].children[0].depth).to.equal(2);
    expect(roots[2].readOnly).to.equal(true);
    expect(visibleRows(roots, new Set()).map((n) => n.path)).to.deep.equal([
      'lib',
      'src',
      'a.txt',
      'z.py',
    ]);
    expect(visibleRows(roots, new Set(['lib', 'lib/deep'])).map((n) => n.path)).to.deep.equal([
      'lib',
      'lib/deep',
      'lib/deep/x.h',
      'src',
      'a.txt',
      'z.py',
    ]);
  });

  it('picks the editor language by extension', () => {
    expect(languageOfPath('main.py')).to.equal('python');
    expect(languageOfPath('src/x.C')).to.equal('c');
    expect(languageOfPath('a.hpp')).to.equal('cpp');
    expect(languageOfPath('index.mjs')).to.equal('javascript');
    expect(languageOfPath('Makefile')).to.equal('plain');
    expect(languageOfPath('.bashrc')).to.equal('plain');
  });

  it('finds gcc errors and Python traceback frames in workspace files only', () => {
    const files = ['main.c', 'src/util.c', 'main.py'];
    const gcc =
      "main.c: In function 'main':\n" +
      "main.c:3:11: error: expected expression before ';' token\n" +
      '/usr/include/stdio.h:10:1: note: declared here\n' +
      "./src/util.c:7: warning: unused variable 'y'\n";
    expect(stageMarks(gcc, files)).to.deep.equal([
      {
        path: 'main.c',
        line: 3,
        column: 11,
        severity: 'error',
        message: "expected expression before ';' token",
      },
      {
        path: 'src/util.c',
        line: 7,
        column: undefined,
        severity: 'warning',
        message: "unused variable 'y'",
      },
    ]);
    const py =
      'Traceback (most recent call last):\n' +
      '  File "/workspace/main.py", line 9, in <module>\n' +
      '  File "/usr/lib/python3.11/re.py", line 2, in x\n' +
      "NameError: name 'q' is not defined\n";
    expect(stageMarks(py, files)).to.deep.equal([
      {
        path: 'main.py',
        line: 9,
        severity: 'error',
        message: "NameError: name 'q' is not defined",
      },
    ]);
  });
});
