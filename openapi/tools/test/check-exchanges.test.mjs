// The exchange checker passes real exchanges of the service and fails each kind of
// deliberately broken one. fixtures/good.jsonl holds exchanges recorded by the
// integration tests; the broken ones are derived from them here by mutation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  ExchangeChecker,
  baseMediaType,
  checkExchangesText,
  isJsonMediaType,
  parseQuery,
} from '../check-exchanges.mjs';
import { loadSpec, matchPath } from '../lib/spec.mjs';

const SPEC = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
const GOOD = fileURLToPath(new URL('./fixtures/good.jsonl', import.meta.url));
const CLI = fileURLToPath(new URL('../check-exchanges.mjs', import.meta.url));

const doc = loadSpec(SPEC);
const checker = new ExchangeChecker(doc);
const goodText = readFileSync(GOOD, 'utf8');
const goodLines = goodText.split('\n').filter((l) => l.trim() !== '');
const good = goodLines.map((l) => JSON.parse(l));

const ONE = /^\/v1\/objectives\/[0-9a-f-]{36}$/;

/** A deep copy of the first fixture exchange that matches. */
function pick(description, predicate) {
  const found = good.find(predicate);
  assert.ok(found, `fixtures/good.jsonl has no exchange for: ${description}`);
  return structuredClone(found);
}

const is = (method, pathTest, status) => (e) =>
  e.request.method === method &&
  (typeof pathTest === 'string' ? e.request.path === pathTest : pathTest.test(e.request.path)) &&
  e.response.status === status;

function removeHeader(exchange, name) {
  const re = new RegExp(`^${name}:.*(\\r\\n|$)`, 'gim');
  const before = exchange.response.headers;
  exchange.response.headers = before.replace(re, '');
  assert.notEqual(exchange.response.headers, before, `exchange had no ${name} header to remove`);
  return exchange;
}

function setHeader(exchange, name, value) {
  const re = new RegExp(`^${name}:.*$`, 'im');
  const before = exchange.response.headers;
  exchange.response.headers = before.replace(re, `${name}: ${value}`);
  assert.notEqual(exchange.response.headers, before, `exchange had no ${name} header to change`);
  return exchange;
}

function editBody(exchange, edit) {
  const body = JSON.parse(exchange.response.body);
  edit(body);
  exchange.response.body = JSON.stringify(body);
  return exchange;
}

/** Asserts the exchange fails with a reason matching @p pattern. */
function assertFails(exchange, pattern) {
  const reasons = checker.checkExchange(exchange);
  assert.ok(Array.isArray(reasons) && reasons.length > 0, 'expected a failure, got none');
  assert.ok(
    reasons.some((r) => pattern.test(r)),
    `no reason matches ${pattern}; got:\n  ${reasons.join('\n  ')}`,
  );
  return reasons;
}

describe('good exchanges', () => {
  test('every real exchange in the fixture conforms', () => {
    const { checked, skipped, failures } = checkExchangesText(doc, goodText);
    assert.deepEqual(failures, []);
    assert.equal(checked + skipped, goodLines.length);
    assert.ok(skipped >= 1, 'the fixture includes a CORS preflight, which is skipped');
  });

  test('the fixture covers the main kinds of exchange', () => {
    const kinds = new Set(good.map((e) => `${e.request.method} ${e.response.status}`));
    for (const kind of ['GET 200', 'POST 201', 'PATCH 200', 'DELETE 204', 'GET 304', 'PUT 405', 'GET 404', 'GET 400', 'GET 401', 'POST 422']) {
      assert.ok(kinds.has(kind), `fixture lacks a ${kind}`);
    }
  });

  test('the CLI exits 0 and prints the summary', () => {
    const run = spawnSync(process.execPath, [CLI, SPEC, GOOD], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`^${good.length - 1} exchanges checked, 0 failures`, 'm'));
  });
});

describe('broken exchanges fail with the expected reason', () => {
  test('undeclared status code', () => {
    const e = pick('DELETE 204', is('DELETE', ONE, 204));
    e.response.status = 200;
    assertFails(e, /^undeclared status 200 for DELETE \/v1\/objectives\/\{id\}/);
  });

  test('a required response field missing', () => {
    const e = editBody(pick('GET one 200', is('GET', ONE, 200)), (b) => delete b.ref);
    assertFails(e, /response body \(200 application\/json\): \/ must have required property 'ref'/);
  });

  test('an extra field where additionalProperties is false', () => {
    const e = pick('list with items', (x) => is('GET', /^\/v1\/objectives\?/, 200)(x) && JSON.parse(x.response.body).items.length > 0);
    editBody(e, (b) => (b.items[0].colour = 'red'));
    assertFails(e, /\/items\/0 must NOT have additional properties \(colour\)/);
  });

  test('a wrong type (version as a string)', () => {
    const e = editBody(pick('GET one 200', is('GET', ONE, 200)), (b) => (b.version = String(b.version)));
    assertFails(e, /\/version must be integer/);
  });

  test('a problem reply with the wrong content type', () => {
    const known = setHeader(pick('GET one 404', is('GET', ONE, 404)), 'Content-Type', 'application/json');
    assertFails(known, /Content-Type application\/json not declared for 404 \(declared: application\/problem\+json\)/);
    const unknown = setHeader(pick('unknown path', is('GET', '/v1/nope', 404)), 'Content-Type', 'application/json');
    assertFails(unknown, /problem reply has Content-Type application\/json, expected application\/problem\+json/);
  });

  test('a problem body that breaks the Problem schema', () => {
    const e = editBody(pick('unknown path', is('GET', '/v1/nope', 404)), (b) => {
      b.stack = 'router.c:42';
      delete b.instance;
    });
    assertFails(e, /^problem body: .*\/ must have required property 'instance'/);
    assertFails(e, /^problem body: .*\/ must NOT have additional properties \(stack\)/);
  });

  test('a missing required header', () => {
    assertFails(removeHeader(pick('GET one 200', is('GET', ONE, 200)), 'X-Request-Id'), /^missing required header X-Request-Id on 200$/);
    assertFails(removeHeader(pick('GET one 200', is('GET', ONE, 200)), 'ETag'), /^missing required header ETag on 200$/);
    assertFails(removeHeader(pick('GET 304', is('GET', ONE, 304)), 'ETag'), /^missing required header ETag on 304$/);
  });

  test('a header value that breaks its schema', () => {
    const e = setHeader(pick('GET one 200', is('GET', ONE, 200)), 'ETag', 'W/"3"');
    assertFails(e, /^header ETag: .* must match pattern/);
    const r = setHeader(pick('503', is('GET', '/readyz', 503)), 'Retry-After', '5');
    assertFails(r, /^header Retry-After: "5": \/ must be equal to constant \(2\)/);
  });

  test('a 405 without Allow, or with the wrong methods', () => {
    assertFails(removeHeader(pick('PUT 405', is('PUT', '/v1/objectives', 405)), 'Allow'), /header Allow on 405|405 without an Allow header/);
    assertFails(setHeader(pick('PUT 405', is('PUT', '/v1/objectives', 405)), 'Allow', 'GET'), /^Allow is "GET", expected exactly GET, POST/);
    assertFails(setHeader(pick('PUT 405', is('PUT', '/v1/objectives', 405)), 'Allow', 'GET,POST'), /separated by ", "/);
  });

  test('a method the spec lacks, answered with something else than 405', () => {
    const e = pick('PUT 405', is('PUT', '/v1/objectives', 405));
    e.response.status = 404;
    assertFails(e, /method not in spec for this path \(spec has GET, POST\): status 404, expected 405/);
  });

  test('an unknown path answered with something else than 404', () => {
    const e = pick('unknown path', is('GET', '/v1/nope', 404));
    e.response.status = 200;
    assertFails(e, /^unknown path: status 200, expected 404$/);
  });

  test('an unknown query parameter on a 2xx list request', () => {
    const e = pick('list 200', is('GET', /^\/v1\/objectives\?/, 200));
    e.request.path += '&colour=red';
    assertFails(e, /^unknown query parameter colour accepted with 2xx$/);
  });

  test('a bad query parameter value on a 2xx list request', () => {
    const e = pick('list 200', is('GET', /^\/v1\/objectives\?/, 200));
    e.request.path += '&limit=0&include_archived=yes&status=draft,bogus';
    const reasons = assertFails(e, /^query parameter limit="0" accepted with 2xx: \/ must be >= 1$/);
    assert.ok(reasons.some((r) => /include_archived="yes".*must be boolean/.test(r)), reasons.join('\n'));
    assert.ok(reasons.some((r) => /status="draft,bogus".*\/1 must be equal to one of the allowed values/.test(r)), reasons.join('\n'));
  });

  test('unknown query parameters are fine when the service rejected them', () => {
    const e = pick('list 400', is('GET', /^\/v1\/objectives\?/, 400));
    assert.deepEqual(checker.checkExchange(e), []);
  });

  test('a 2xx POST whose request body violates the schema', () => {
    const e = pick('POST 201', is('POST', '/v1/objectives', 201));
    const body = JSON.parse(e.request.body);
    body.level = 'galactic';
    body.colour = 'red';
    e.request.body = JSON.stringify(body);
    assertFails(e, /^request body \(accepted with 2xx\): .*\/level must be equal to one of the allowed values \("strategic"/);
    assertFails(e, /^request body \(accepted with 2xx\): .*\/ must NOT have additional properties \(colour\)/);
  });

  test('a 2xx PATCH sent with an undeclared Content-Type', () => {
    const e = pick('PATCH 200', is('PATCH', ONE, 200));
    e.request.headers = e.request.headers.map((h) => (/^content-type:/i.test(h) ? 'Content-Type: text/plain' : h));
    assertFails(e, /^request Content-Type text\/plain accepted with 2xx but not declared/);
  });

  test('a body on a status that declares no content', () => {
    const e = pick('GET 304', is('GET', ONE, 304));
    e.response.body = '{}';
    assertFails(e, /^status 304 declares no content but the body is not empty$/);
  });

  test('a response body that is not JSON', () => {
    const e = pick('GET one 200', is('GET', ONE, 200));
    e.response.body = e.response.body.slice(0, -1);
    assertFails(e, /^response body \(200 application\/json\) is not valid JSON/);
  });

  test('a text reply with the wrong media type', () => {
    const e = setHeader(pick('metrics', is('GET', '/metrics', 200)), 'Content-Type', 'text/html');
    assertFails(e, /^Content-Type text\/html not declared for 200 \(declared: text\/plain; version=0.0.4\)$/);
  });

  test('CORS preflights are skipped whatever they answer', () => {
    const e = pick('preflight', (x) => x.request.method === 'OPTIONS');
    e.response.status = 599;
    assert.equal(checker.checkExchange(e), null);
  });
});

describe('the CLI on a broken file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-exchanges-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('exits 1 and prints one line per failure with line number, method, path and reason', () => {
    const e = editBody(pick('GET one 200', is('GET', ONE, 200)), (b) => (b.version = 'one'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, [goodLines[0], JSON.stringify(e), ''].join('\n'));
    const run = spawnSync(process.execPath, [CLI, SPEC, file], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const escaped = e.request.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(run.stdout, new RegExp(`^line 2: GET ${escaped}: response body .*\\/version must be integer`, 'm'));
    assert.match(run.stdout, /^2 exchanges checked, 1 failures/m);
  });

  test('exits 2 on bad usage', () => {
    const run = spawnSync(process.execPath, [CLI, SPEC], { encoding: 'utf8' });
    assert.equal(run.status, 2);
  });
});

describe('helpers', () => {
  test('path matching: templates take one non-empty segment', () => {
    assert.equal(matchPath(doc, '/v1/objectives/abc').template, '/v1/objectives/{id}');
    assert.equal(matchPath(doc, '/v1/objectives/abc/restore').template, '/v1/objectives/{id}/restore');
    assert.equal(matchPath(doc, '/v1/objectives/'), null);
    assert.equal(matchPath(doc, '/v1/objectives').template, '/v1/objectives');
    assert.equal(matchPath(doc, '/v2/objectives'), null);
  });

  test('literal segments win over templates', () => {
    const tiny = { paths: { '/a/{x}': {}, '/a/b': {} } };
    assert.equal(matchPath(tiny, '/a/b').template, '/a/b');
    assert.deepEqual(matchPath(tiny, '/a/c'), { template: '/a/{x}', params: { x: 'c' } });
  });

  test('media types', () => {
    assert.equal(baseMediaType('Application/JSON; charset=utf-8'), 'application/json');
    assert.ok(isJsonMediaType('application/problem+json'));
    assert.ok(isJsonMediaType('application/merge-patch+json'));
    assert.ok(!isJsonMediaType('text/plain; version=0.0.4'));
  });

  test('query strings are split and decoded', () => {
    assert.deepEqual(parseQuery('a=1&b=x%2Cy&c=a+b&d'), [
      ['a', '1'],
      ['b', 'x,y'],
      ['c', 'a b'],
      ['d', ''],
    ]);
  });
});
