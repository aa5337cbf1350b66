// The route check passes when the service routes exactly the spec's operations and
// fails, naming each, when either side has one the other lacks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { compareRoutes } from '../check-routes.mjs';
import { loadSpec, specOperations } from '../lib/spec.mjs';

const SPEC = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
const CLI = fileURLToPath(new URL('../check-routes.mjs', import.meta.url));
const doc = loadSpec(SPEC);

/** The route table a service serving exactly the spec would print. */
const specRoutes = () => specOperations(doc).map(({ method, path }) => ({ method, path }));

describe('compareRoutes', () => {
  test('matching sets pass', () => {
    const routes = specRoutes();
    assert.ok(routes.some((r) => r.path === '/v1/objectives/{id}'), 'the spec has templated paths');
    assert.deepEqual(compareRoutes(doc, routes), { missingFromSpec: [], notRouted: [] });
  });

  test('parameter names do not matter, order does not matter', () => {
    const routes = specRoutes()
      .map((r) => ({ ...r, path: r.path.replace(/\{[^}]+\}/g, '{objective_id}') }))
      .reverse();
    assert.deepEqual(compareRoutes(doc, routes), { missingFromSpec: [], notRouted: [] });
  });

  test('a route missing from the spec fails', () => {
    const routes = [...specRoutes(), { method: 'PUT', path: '/v1/objectives/{id}' }, { method: 'GET', path: '/v1/secrets' }];
    assert.deepEqual(compareRoutes(doc, routes), {
      missingFromSpec: [
        { method: 'PUT', path: '/v1/objectives/{id}' },
        { method: 'GET', path: '/v1/secrets' },
      ],
      notRouted: [],
    });
  });

  test('a spec operation the service does not route fails', () => {
    const routes = specRoutes().filter((r) => !(r.method === 'DELETE' && r.path === '/v1/objectives/{id}'));
    assert.deepEqual(compareRoutes(doc, routes), {
      missingFromSpec: [],
      notRouted: [{ method: 'DELETE', path: '/v1/objectives/{id}' }],
    });
  });

  test('a route with a different shape is both missing and not routed', () => {
    const routes = specRoutes().map((r) =>
      r.path === '/v1/objectives/{id}/restore' ? { ...r, path: '/v1/objectives/{id}/restored' } : r,
    );
    const result = compareRoutes(doc, routes);
    assert.deepEqual(result.missingFromSpec, [{ method: 'POST', path: '/v1/objectives/{id}/restored' }]);
    assert.deepEqual(result.notRouted, [{ method: 'POST', path: '/v1/objectives/{id}/restore' }]);
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-routes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (routes) => {
    const file = join(dir, 'routes.json');
    writeFileSync(file, JSON.stringify(routes, null, 1));
    return spawnSync(process.execPath, [CLI, SPEC, file], { encoding: 'utf8' });
  };

  test('exits 0 when the sets match', () => {
    const r = run(specRoutes());
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /, 0 mismatches$/m);
  });

  test('exits 1 and lists each mismatch', () => {
    const routes = specRoutes().filter((x) => x.path !== '/healthz');
    routes.push({ method: 'GET', path: '/debug' });
    const r = run(routes);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^route GET \/debug is served but is not an operation in the spec$/m);
    assert.match(r.stdout, /^spec operation GET \/healthz is not routed by the service$/m);
    assert.match(r.stdout, /, 2 mismatches$/m);
  });

  test('exits 2 on input that is not a route table', () => {
    const r = run({ method: 'GET' });
    assert.equal(r.status, 2);
  });
});
