/** Judges: `POST /judges`, `GET /judges`, `GET|PUT /judges/:id`, `GET /judges/:id/:filename`. */
import type { Created } from '../../../shared/compilers.js';
import type { Judge, JudgeList, NoContent } from '../../../shared/problems.js';
import { parseParams, queryRecord } from '../../http/params.js';
import { json, type Router } from '../../http/router.js';
import { accessDenied, notFound, ProblemsError as E } from '../errors.js';
import { BUILTIN_JUDGES } from '../judges/catalog.js';
import { createJudgeParams, listJudgesQuery, updateJudgeParams } from '../params.js';
import { judgeItem, judgeShape, judgeView, type JudgeShape } from '../views.js';
import { byPathIdOr404, links, paging, paramsContext, raw, type ProblemsDeps } from './common.js';

export function judgeRoutes(r: Router, deps: ProblemsDeps): Router {
  const { store } = deps;
  const ctx = paramsContext(deps);
  const createJudge = createJudgeParams(ctx);

  const judgeOr404 = (param: string): JudgeShape =>
    byPathIdOr404(param, 'judge', (id) =>
      judgeShape(id, BUILTIN_JUDGES.has(id) ? null : store.getJudge(id), deps.languages()),
    );

  return r
    .post('/judges', async (req) => {
      const j = parseParams(createJudge, await req.body(), E.CreationFailed);
      const id = store.createJudge({
        name: j.name,
        typeId: j.typeId,
        compilerId: j.compiler.language.id,
        compilerVersionId: j.compiler.version.id,
        source: Buffer.from(j.source),
        shared: j.shared,
      });
      return json<Created>({ id }, 201);
    })

    .get('/judges', (req) => {
      const q = parseParams(listJudgesQuery, queryRecord(req.query), E.CreationFailed);
      const { typeId, limit, offset } = q;
      const builtins = [...BUILTIN_JUDGES.values()].filter((j) => j.typeId === typeId);
      const total = builtins.length + store.countJudges(typeId);
      const langs = deps.languages();
      const shown = builtins
        .slice(offset, offset + limit)
        .map((j) => judgeShape(j.id, null, langs)!);
      const customOffset = Math.max(0, offset - builtins.length);
      const customLimit = limit - shown.length;
      if (customLimit > 0) {
        for (const row of store.listJudges(typeId, customLimit, customOffset)) {
          shown.push(judgeShape(row.id, row, langs)!);
        }
      }
      const l = links(req);
      return json<JudgeList>({
        items: shown.map((j) => judgeItem(j, l)),
        paging: paging(l, '/judges', { limit, offset, total }, { typeId: String(typeId) }),
      });
    })

    .get('/judges/:id', (req) => json<Judge>(judgeView(judgeOr404(req.params.id), links(req))))

    .put('/judges/:id', async (req) => {
      const j = judgeOr404(req.params.id);
      if (j.builtin) throw accessDenied('judge');
      const u = parseParams(
        updateJudgeParams(ctx, j.compiler.id),
        await req.body(),
        E.CreationFailed,
      );
      store.updateJudge(j.id, {
        name: u.name,
        compilerId: u.compiler?.language.id,
        compilerVersionId: u.compiler?.version.id,
        source: u.source === undefined ? undefined : Buffer.from(u.source),
        shared: u.shared,
      });
      // The spec answers this PUT with 201.
      return json<NoContent>({}, 201);
    })

    .get('/judges/:id/:filename', (req) => {
      const j = judgeOr404(req.params.id);
      if (req.params.filename !== 'source') throw notFound('file', E.ItemNotFound);
      return raw(
        j.builtin ? BUILTIN_JUDGES.get(j.id)!.description + '\n' : store.getJudge(j.id)!.source,
      );
    });
}
