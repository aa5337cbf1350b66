// Shared helpers for the contract checks: loading the OpenAPI document, following
// local `$ref`s in its non-schema objects, and matching request paths to its path
// templates.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** HTTP methods that can appear as operations in an OpenAPI path item. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Reads an OpenAPI document (YAML or JSON). */
export function loadSpec(file) {
  const text = readFileSync(file, 'utf8');
  const doc = parse(text);
  if (!doc || typeof doc !== 'object' || !doc.paths) {
    throw new Error(`${file}: not an OpenAPI document (no paths)`);
  }
  return doc;
}

/** Escapes one JSON Pointer token (RFC 6901). */
export function escapeToken(token) {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON Pointer from tokens. */
export function pointer(...tokens) {
  return tokens.map((t) => '/' + escapeToken(t)).join('');
}

/** Turns a JSON Pointer into a URI fragment (`#/a/b`), percent-encoding each token. */
export function pointerToFragment(ptr) {
  if (ptr === '') return '#';
  return (
    '#' +
    ptr
      .split('/')
      .slice(1)
      .map((t) => '/' + encodeURIComponent(t))
      .join('')
  );
}

/** Reads the value at a JSON Pointer in @p doc (undefined when absent). */
export function getAtPointer(doc, ptr) {
  if (ptr === '') return doc;
  if (!ptr.startsWith('/')) throw new Error(`not a JSON Pointer: ${ptr}`);
  let cur = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !(token in cur)) return undefined;
    cur = cur[token];
  }
  return cur;
}

/** Converts a local `$ref` (`#/components/...`) to a JSON Pointer. */
export function refToPointer(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) {
    throw new Error(`only local $refs are supported, got ${JSON.stringify(ref)}`);
  }
  return ref
    .slice(1)
    .split('/')
    .map((t, i) => (i === 0 ? t : escapeToken(decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'))))
    .join('/');
}

/**
 * Follows `$ref` chains of an OpenAPI object (response, parameter, header, ...)
 * found at @p ptr. Returns `{ value, pointer }` where pointer is the location of
 * the object actually used, so schemas under it can be addressed by pointer.
 */
export function deref(doc, ptr) {
  let value = getAtPointer(doc, ptr);
  let at = ptr;
  const seen = new Set();
  while (value && typeof value === 'object' && typeof value.$ref === 'string') {
    if (seen.has(at)) throw new Error(`$ref loop at ${at}`);
    seen.add(at);
    at = refToPointer(value.$ref);
    value = getAtPointer(doc, at);
    if (value === undefined) throw new Error(`unresolved $ref ${[...seen].pop()} -> ${at}`);
  }
  return { value, pointer: at };
}

/** Splits a path template or request path into segments (leading `/` dropped). */
function segments(path) {
  return path.split('/').slice(1);
}

/** Replaces every `{name}` with `{}` so templates compare by shape only. */
export function normaliseTemplate(template) {
  return template.replace(/\{[^}/]*\}/g, '{}');
}

/**
 * Finds the spec path template that serves @p path (no query). `{param}` matches
 * exactly one non-empty segment. When several match, the one with the most
 * literal segments wins. Returns `{ template, params }` or null.
 */
export function matchPath(doc, path) {
  const reqSegs = segments(path);
  let best = null;
  for (const template of Object.keys(doc.paths)) {
    const tSegs = segments(template);
    if (tSegs.length !== reqSegs.length) continue;
    const params = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < tSegs.length; i++) {
      const m = /^\{([^}]+)\}$/.exec(tSegs[i]);
      if (m) {
        if (reqSegs[i] === '') {
          ok = false;
          break;
        }
        params[m[1]] = reqSegs[i];
      } else if (tSegs[i] === reqSegs[i]) {
        literals++;
      } else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || literals > best.literals)) best = { template, params, literals };
  }
  return best && { template: best.template, params: best.params };
}

/** The operations (upper-case method names) that the spec defines on one path item. */
export function pathMethods(doc, template) {
  const item = deref(doc, pointer('paths', template)).value || {};
  return HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
}

/** Every operation of the spec as `{ method, path }` (method upper-case). */
export function specOperations(doc) {
  const ops = [];
  for (const template of Object.keys(doc.paths)) {
    for (const method of pathMethods(doc, template)) ops.push({ method, path: template });
  }
  return ops;
}
