/**
 * Finds source lines in compiler messages and runtime tracebacks (gcc/g++/clang, javac, Python,
 * Node.js, and the common `file:line:` shape), so they can be marked in the editor.
 */

export interface LineMark {
  line: number;
  column?: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/** Paths of the language runtime itself, never the learner's file. */
const runtimePath = /^(<|\/usr\/|\/lib|\/opt\/|node:|internal\/)|[\\/]lib[\\/]python|site-packages/;

function collapse(list: LineMark[]): LineMark[] {
  const seen = new Set<string>();
  return list.filter((m) => {
    const key = `${m.line}:${m.column ?? 0}:${m.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Compiler messages: `file:line[:col]: error|warning|note: text` (gcc, clang, javac, go, ...). */
export function compilerMarks(text: string): LineMark[] {
  const out: LineMark[] = [];
  const re = /^([^\s:][^:\n]*):(\d+)(?::(\d+))?:\s*(fatal error|error|warning|note)?:?\s*(.*)$/gm;
  for (const m of text.matchAll(re)) {
    if (runtimePath.test(m[1])) continue;
    if (!m[4] && !/error/i.test(m[5])) continue;
    const kind = (m[4] ?? 'error').toLowerCase();
    out.push({
      line: Number(m[2]),
      column: m[3] ? Number(m[3]) : undefined,
      severity: kind === 'warning' ? 'warning' : kind === 'note' ? 'info' : 'error',
      message: m[5].trim() || kind,
    });
  }
  return collapse(out);
}

/**
 * A Python traceback or syntax error: the innermost frame in the learner's file, with the final
 * `Error: message` line.
 */
export function pythonMarks(text: string): LineMark[] {
  const frames = [...text.matchAll(/^\s*File "([^"]+)", line (\d+)/gm)].filter(
    (m) => !runtimePath.test(m[1]),
  );
  if (!frames.length) return [];
  const last = frames[frames.length - 1];
  const tail = text.trimEnd().split('\n');
  const message = tail[tail.length - 1].trim();
  return [{ line: Number(last[2]), severity: 'error', message }];
}

/** A Node.js error: `/path/file.js:LINE` on the first line, or the first user stack frame. */
export function nodeMarks(text: string): LineMark[] {
  const head = /^(\S+\.[cm]?js):(\d+)\s*$/m.exec(text);
  const frame = [...text.matchAll(/\(?([^\s()]+\.[cm]?js):(\d+):(\d+)\)?/g)].find(
    (m) => !runtimePath.test(m[1]),
  );
  const msg = /^\w*Error\b.*$/m.exec(text)?.[0] ?? 'error';
  if (head && !runtimePath.test(head[1]))
    return [{ line: Number(head[2]), severity: 'error', message: msg }];
  if (frame)
    return [{ line: Number(frame[2]), column: Number(frame[3]), severity: 'error', message: msg }];
  return [];
}

/** Every line mark found in a result's compiler messages and error stream. */
export function lineMarks(cmpinfo: string | null, stderr: string | null): LineMark[] {
  const marks: LineMark[] = [];
  if (cmpinfo) {
    const py = pythonMarks(cmpinfo);
    marks.push(...(py.length ? py : compilerMarks(cmpinfo)));
  }
  if (stderr) {
    const py = pythonMarks(stderr);
    if (py.length) marks.push(...py);
    else {
      const js = nodeMarks(stderr);
      marks.push(...(js.length ? js : compilerMarks(stderr)));
    }
  }
  return collapse(marks);
}
