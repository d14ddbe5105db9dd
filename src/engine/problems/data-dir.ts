/**
 * The problems of an engine's data folder, opened directly (no engine running needed): what
 * `se-widgets problems import|export` works on. SQLite's WAL lets this run beside a live engine.
 */
import type { LanguageInfo } from '../exec/types.js';
import { LANGUAGE_DEFS, languageInfo, toolchainPresent } from '../exec/languages.js';
import { coreMigrations, openDb } from '../store/db.js';
import { ProblemsStore, problemsMigrations } from './store.js';

/** A data folder's problems, with the languages an engine here could run. */
export interface ProblemsData {
  store: ProblemsStore;
  /**
   * Every language the engine knows whose toolchain is installed (no sandbox probe: the ids and
   * versions are fixed per language, so this matches what a running engine lists).
   */
  languages: Map<number, LanguageInfo>;
  close(): void;
}

/** Opens (creating when needed) the problems of the engine data folder `dataDir`. */
export function openProblemsData(dataDir: string): ProblemsData {
  const db = openDb(dataDir, [...coreMigrations, ...problemsMigrations]);
  return { store: new ProblemsStore(db), languages: installedLanguages(), close: () => db.close() };
}

function installedLanguages(): Map<number, LanguageInfo> {
  const out = new Map<number, LanguageInfo>();
  for (const def of LANGUAGE_DEFS) {
    if (!toolchainPresent(def)) continue;
    const versions = def.versions?.map((v) => ({ id: v.id, name: v.label })) ?? [
      { id: 1, name: '' },
    ];
    out.set(def.id, languageInfo(def, versions));
  }
  return out;
}
