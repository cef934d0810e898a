import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { erasedRefusal } from '../customers/erased.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { Refusal } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { fromTheDesk, refuseDeskAnswer } from './csat.caller.js';
import { answerSurvey } from './csat.service.js';

/**
 * The page a customer reaches from the survey link: five buttons and an optional comment, a
 * plain HTML form that works without JavaScript (many customers open it from an SMS). The
 * survey token in the path is the only credential; a browser signed in to the desk is shown no
 * form and its answer is refused (csat.caller.ts). Nothing the customer or an agent wrote is
 * shown back, and a strict Content-Security-Policy forbids scripts and framing anyway.
 */
export function csatPageRoutes(app: Http, deps: { db: Kysely<DB>; clock: () => number }) {
  const Params = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) });
  // Not under /api/v1, so no common errors are added (responses.ts): the pages declare theirs.
  const Html = (description: string) => ({
    description,
    content: { 'text/html': { schema: Type.String() } },
  });
  const desk = Html(
    'a page saying the browser is signed in to the desk: the survey is the customer’s',
  );
  const unknown = Html('a page saying the survey link is not valid');

  app.register(async (inner) => {
    // Forms post urlencoded bodies; parsed here only, with the global body limit.
    inner.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    const scope = inner as unknown as Http;

    scope.get(
      '/csat/:token',
      {
        config: { public: true },
        schema: {
          response: {
            200: Html('the survey form, or a thank-you once answered'),
            403: desk,
            404: unknown,
          },
          tags: ['csat'],
          summary: 'The survey page (HTML)',
          params: Params,
        },
      },
      async (req, reply) => {
        page(reply);
        if (fromTheDesk(req)) return reply.code(403).send(html('Signed in to the desk', DESK));
        const s = await deps.db
          .selectFrom('csat_surveys')
          .select(['answered_at'])
          .where('token', '=', req.params.token)
          .executeTakeFirst();
        if (!s) return reply.code(404).send(html('Survey not found', NOT_FOUND));
        if (s.answered_at !== null) return reply.send(html('Thank you', ALREADY));
        return reply.send(html('How did we do?', form()));
      },
    );

    scope.post(
      '/csat/:token',
      {
        // The comment is the customer's own words: a NUL in it is kept as U+FFFD, not refused.
        config: { public: true, nulInBody: 'replace' },
        schema: {
          tags: ['csat'],
          response: {
            200: Html('a thank-you page'),
            400: Refusal('bad_request: the rating is not 1 to 5, or the comment is too long'),
            403: desk,
            404: unknown,
            409: Html('a page saying the survey was already answered'),
          },
          summary: 'The survey form is submitted (HTML)',
          params: Params,
          body: Type.Object({
            rating: Type.String({ pattern: '^[1-5]$' }),
            comment: Type.Optional(Type.String({ maxLength: 5000 })),
          }),
        },
      },
      async (req, reply) => {
        page(reply);
        if (await refuseDeskAnswer(deps.db, req, req.params.token, deps.clock()))
          return reply.code(403).send(html('Signed in to the desk', DESK));
        const comment = req.body.comment?.trim() || undefined;
        try {
          await answerSurvey(
            deps.db,
            req.params.token,
            Number(req.body.rating),
            comment,
            deps.clock(),
          );
        } catch (err) {
          if (err instanceof AppError && err.code === 'not_found')
            return reply.code(404).send(html('Survey not found', NOT_FOUND));
          // The customer was erased: to them the link no longer exists.
          if (err instanceof AppError && err.message === erasedRefusal().message)
            return reply.code(404).send(html('Survey not found', NOT_FOUND));
          if (err instanceof AppError && err.code === 'invalid_transition')
            return reply.code(409).send(html('Thank you', ALREADY));
          throw err;
        }
        return reply.send(html('Thank you', THANKS));
      },
    );
  });
}

const NOT_FOUND = '<p>This survey link is not valid. It may have been mistyped.</p>';
const ALREADY = '<p>This survey has already been answered. Thank you for your feedback.</p>';
const THANKS = '<p>Thank you! Your answer helps us do better.</p>';
const DESK =
  '<p>This browser is signed in to the support desk. A survey is for the customer to answer, so it cannot be answered here.</p>';

function page(reply: { header(name: string, value: string): unknown }) {
  reply.header('content-type', 'text/html; charset=utf-8');
  reply.header(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-store');
}

function form(): string {
  const buttons = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<button type="submit" name="rating" value="${n}" aria-label="${n} of 5">${n}</button>`,
    )
    .join('');
  return `<p>Rate the help you got, from 1 (poor) to 5 (excellent).</p>
<form method="post">
<label for="comment">Anything to add? (optional)</label>
<textarea id="comment" name="comment" maxlength="5000" rows="3"></textarea>
<div class="rating">${buttons}</div>
</form>`;
}

/** Every dynamic part above is a constant of ours; titles are constants too. */
function html(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
textarea{width:100%;box-sizing:border-box;margin:.5rem 0 1rem}
.rating{display:flex;gap:.5rem}
button{flex:1;font-size:1.25rem;padding:.75rem 0;border:1px solid #8a94a6;border-radius:.5rem;background:#fff;cursor:pointer}
button:hover,button:focus{background:#e8eefc}
</style></head>
<body><h1>${title}</h1>
${body}
</body></html>`;
}
