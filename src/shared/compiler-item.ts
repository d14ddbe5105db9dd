/**
 * A compiler's public fields, copied. Its own module, importing no schema library: the engine's
 * executor uses it, and the executor runs on Node's built-ins alone (test/engine/sandbox/
 * folders.test.ts runs it from a copy of dist/ with no node_modules).
 */
import type { Compiler } from './compilers.js';

/**
 * A compiler's public fields, copied from anything that has them (a language of the engine, an
 * item of the upstream): nothing else comes along.
 */
export function compilerItem(c: Compiler): Compiler {
  return {
    id: c.id,
    name: c.name,
    short: c.short,
    versions: c.versions.map((x) => ({ id: x.id, name: x.name })),
    highlighters: { ...c.highlighters },
  };
}
