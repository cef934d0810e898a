import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from './builders.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/*
 * `throughline classify` against a desk answers as that desk's pipeline does: with the agents'
 * corrections applied. A QA pass found it answering with the shipped model while the desk's
 * pipeline, taught by 20 corrections, labelled the same kind of Spanish text otherwise.
 */
describe('throughline classify against a desk', () => {
  let t: TestApp;
  let url = '';
  const probe = '{"text":"No tengo señal en el garaje desde el domingo","channel":"sms"}\n';

  beforeAll(async () => {
    t = await testApp('sqlite');
    url = String(t.app.config.databaseUrl);
    const texts = [
      'No tengo señal en mi celular desde ayer',
      'Sin señal en la casa desde el lunes',
      'No tengo señal en la oficina, otra vez',
      'La señal no funciona en mi barrio desde anoche',
      'Sin cobertura en el centro, no tengo señal',
      'No hay señal en mi casa desde hace dos días',
      'Otra vez sin señal en el trabajo',
      'Mi teléfono no tiene señal desde el sábado',
    ];
    for (const [i, text] of texts.entries()) {
      const res = await asAdmin(
        t,
        'POST',
        '/api/v1/inbound',
        aMessage({ channel: 'sms', text, author: { id: `+1415555${1000 + i}` } }),
      );
      expect(res.statusCode).toBe(202);
    }
    await t.app.pipeline.drain();
    const rows = await t.app.database.db
      .selectFrom('messages')
      .select('id')
      .where('direction', '=', 'in')
      .execute();
    for (let round = 0; round < 3; round++)
      for (const r of rows) {
        const res = await asAdmin(t, 'POST', `/api/v1/messages/${r.id}/triage`, {
          topic: 'network',
          complaint: true,
        });
        expect(res.statusCode).toBeLessThan(300);
      }
  }, 120_000);
  afterAll(() => t?.close());

  const classify = (env: Record<string, string | undefined>, args: string[] = []) =>
    spawnSync(process.execPath, [BIN, 'classify', ...args], {
      input: probe,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60_000,
    });

  it("uses the desk's corrections, and says which model answered", async () => {
    const model = await asAdmin(t, 'GET', '/api/v1/triage/model');
    const version = model.json().version as string;
    expect(version).toMatch(/\+\d+c\.[0-9a-f-]{6}$/);

    const desk = classify({ THROUGHLINE_DATABASE_URL: url });
    expect(desk.status, desk.stderr).toBe(0);
    expect(desk.stderr).toContain(`model ${version} (the desk's)`);
    const shipped = classify({ THROUGHLINE_DATABASE_URL: undefined });
    expect(shipped.status, shipped.stderr).toBe(0);
    const d = JSON.parse(desk.stdout);
    const s = JSON.parse(shipped.stdout);
    // The shipped model does not read this Spanish complaint; the desk's, taught, does.
    expect(s.complaint).toBe(false);
    expect(d).toMatchObject({ complaint: true, topic: 'network' });
    // And the desk's pipeline labels a new such message the same way.
    const viaPipeline = await asAdmin(t, 'POST', '/api/v1/triage/classify', JSON.parse(probe));
    expect(viaPipeline.json()).toMatchObject({ complaint: d.complaint, topic: d.topic });
    expect(viaPipeline.json().complaintScore).toBeCloseTo(d.complaintScore, 6);
  }, 120_000);

  it('--shipped ignores the desk; a desk that does not exist is an error, not a new one', () => {
    const shipped = classify({ THROUGHLINE_DATABASE_URL: url }, ['--shipped']);
    expect(shipped.status).toBe(0);
    expect(JSON.parse(shipped.stdout).complaint).toBe(false);
    const missing = classify({ THROUGHLINE_DATABASE_URL: `${url}.missing` });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no desk at .*\.missing/);
  });
});
