#!/usr/bin/env node
// Compares the service's route table with the operations of the OpenAPI description.
//
// Usage: node tools/check-routes.mjs <openapi.yaml> <routes.json>
//
// routes.json is what `isms routes` prints: [{"method": "GET", "path": "/v1/objectives/{id}"}, ...].
// Path templates are compared with parameter names normalised (`{id}` and `{x}` are equal).
// Exits 0 when both sides have the same operations, 1 when not, 2 on bad usage or input.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { loadSpec, normaliseTemplate, specOperations } from './lib/spec.mjs';

const key = (op) => `${op.method.toUpperCase()} ${normaliseTemplate(op.path)}`;

/**
 * Returns `{ missingFromSpec, notRouted }`: routes the spec does not describe, and
 * spec operations the service does not route (each `{ method, path }`).
 */
export function compareRoutes(doc, routes) {
  if (!Array.isArray(routes)) throw new Error('routes must be a JSON array of {method, path}');
  for (const r of routes) {
    if (!r || typeof r.method !== 'string' || typeof r.path !== 'string') {
      throw new Error(`not a route: ${JSON.stringify(r)}`);
    }
  }
  const ops = specOperations(doc);
  const specKeys = new Set(ops.map(key));
  const routeKeys = new Set(routes.map(key));
  return {
    missingFromSpec: routes.filter((r) => !specKeys.has(key(r))),
    notRouted: ops.filter((op) => !routeKeys.has(key(op))),
  };
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node tools/check-routes.mjs <openapi.yaml> <routes.json>\n');
    return 2;
  }
  let result;
  let routes;
  try {
    const doc = loadSpec(argv[0]);
    routes = JSON.parse(readFileSync(argv[1], 'utf8'));
    result = compareRoutes(doc, routes);
  } catch (e) {
    process.stderr.write(`check-routes: ${e.message}\n`);
    return 2;
  }
  for (const r of result.missingFromSpec) {
    process.stdout.write(`route ${r.method.toUpperCase()} ${r.path} is served but is not an operation in the spec\n`);
  }
  for (const op of result.notRouted) {
    process.stdout.write(`spec operation ${op.method} ${op.path} is not routed by the service\n`);
  }
  const mismatches = result.missingFromSpec.length + result.notRouted.length;
  process.stdout.write(`${routes.length} routes compared, ${mismatches} mismatches\n`);
  return mismatches === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
