import { Type } from '@sinclair/typebox';
import type { CareRouteDeps } from '../cases/care.routes.js';
import { answerSurvey, csatStats } from '../csat/csat.service.js';
import { AppError } from '../platform/errors.js';
import { Json, Refusal, Refused } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { DESK_CALLER_MESSAGE, refuseDeskAnswer } from './csat.caller.js';
import { csatPageRoutes } from './csat.page.js';

const DateTime = Type.String({ format: 'date-time' });

/** CSAT: the customer's answer (by survey token) and the results. */
export function csatRoutes(app: Http, deps: CareRouteDeps) {
  const { db, clock } = deps;
  csatPageRoutes(app, { db, clock });

  app.post(
    '/api/v1/csat/:token',
    {
      // The comment is the customer's own words: a NUL in it is kept as U+FFFD, not refused.
      config: { public: true, nulInBody: 'replace' },
      schema: {
        // Public: withCommonResponses adds no 403, yet a desk sign-in is refused with one.
        response: {
          200: Json(),
          403: Refusal('forbidden: the request carries a desk sign-in (session or API token)'),
          404: Refusal('not_found: no survey has this token'),
          422: Refused('the survey was already answered, or its customer was erased'),
        },
        tags: ['csat'],
        summary:
          'The customer answers the survey (the token is the credential; a request with a desk sign-in is a 403)',
        params: Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) }),
        body: Type.Object(
          {
            rating: Type.Integer({ minimum: 1, maximum: 5 }),
            comment: Type.Optional(Type.String({ maxLength: 5000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      if (await refuseDeskAnswer(db, req, req.params.token, clock()))
        throw new AppError('forbidden', DESK_CALLER_MESSAGE);
      return answerSurvey(db, req.params.token, req.body.rating, req.body.comment, clock());
    },
  );

  app.get(
    '/api/v1/csat',
    {
      schema: {
        tags: ['csat'],
        summary: 'CSAT per channel and agent (of the surveys sent from `from` until before `to`)',
        querystring: Type.Object({ from: Type.Optional(DateTime), to: Type.Optional(DateTime) }),
      },
    },
    async (req) => ({
      items: await csatStats(
        db,
        req.actor.workspaceId,
        req.query.from ? Date.parse(req.query.from) : 0,
        req.query.to ? Date.parse(req.query.to) : Number.MAX_SAFE_INTEGER,
      ),
    }),
  );
}
