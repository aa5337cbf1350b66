#!/usr/bin/env node
// Checks recorded HTTP exchanges against the OpenAPI description.
//
// Usage: node tools/check-exchanges.mjs <openapi.yaml> <exchanges.jsonl>
//
// Each line of the exchanges file is one JSON object:
//   {"request":  {"method", "path" (with query), "headers": ["Name: value", ...], "body": null|text},
//    "response": {"status", "headers": "Name: value\r\n...", "body": text}}
// Exits 0 when every exchange conforms, 1 when any does not, 2 on bad usage or input.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import {
  deref,
  getAtPointer,
  loadSpec,
  matchPath,
  pathMethods,
  pointer,
  pointerToFragment,
  refToPointer,
} from './lib/spec.mjs';

const SPEC_ID = 'https://spec.invalid/openapi.json';
const PROBLEM_POINTER = '/components/schemas/Problem';
const MAX_ERRORS_SHOWN = 6;

/** Media type without parameters, lower-cased (`text/plain; version=0.0.4` -> `text/plain`). */
export function baseMediaType(value) {
  return String(value ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/** application/json, application/problem+json and any other `+json` type. */
export function isJsonMediaType(mediaType) {
  const base = baseMediaType(mediaType);
  return base === 'application/json' || /^[a-z0-9!#$&^_.-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(base);
}

/** Parses a raw response header block into a Map of lower-case name -> [values]. */
export function parseHeaderBlock(block) {
  const headers = new Map();
  for (const line of String(block ?? '').split(/\r?\n/)) {
    addHeaderLine(headers, line);
  }
  return headers;
}

/** Parses request headers given as ["Name: value", ...]. */
export function parseHeaderList(list) {
  const headers = new Map();
  for (const line of list ?? []) addHeaderLine(headers, line);
  return headers;
}

function addHeaderLine(headers, line) {
  const colon = line.indexOf(':');
  if (colon <= 0 || /^HTTP\//i.test(line)) return;
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  if (!headers.has(name)) headers.set(name, []);
  headers.get(name).push(value);
}

/** One header's value, repeated fields joined with ", " (RFC 9110 5.3); undefined when absent. */
function headerValue(headers, name) {
  const values = headers.get(name.toLowerCase());
  return values ? values.join(', ') : undefined;
}

/** Splits a query string into [[name, value], ...], percent-decoded (`+` is a space). */
export function parseQuery(query) {
  const out = [];
  if (!query) return out;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decodeComponent(rawName), decodeComponent(rawValue)]);
  }
  return out;
}

function decodeComponent(text) {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function decodePathSegment(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function shorten(text, max = 160) {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** Formats Ajv errors as `/items/0 must NOT have additional properties (colour)`. */
export function formatAjvErrors(errors) {
  const lines = [];
  const seen = new Set();
  for (const e of errors ?? []) {
    let text = `${e.instancePath || '/'} ${e.message}`;
    const p = e.params ?? {};
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      text += ` (${p.additionalProperty ?? p.unevaluatedProperty})`;
    } else if (e.keyword === 'enum') {
      text += ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
    } else if (e.keyword === 'const') {
      text += ` (${JSON.stringify(p.allowedValue)})`;
    }
    if (!seen.has(text)) {
      seen.add(text);
      lines.push(text);
    }
  }
  const shown = lines.slice(0, MAX_ERRORS_SHOWN).join('; ');
  return lines.length > MAX_ERRORS_SHOWN ? `${shown}; (+${lines.length - MAX_ERRORS_SHOWN} more)` : shown;
}

/**
 * Validates exchanges against one OpenAPI document. Create once, then call
 * checkExchange() per exchange; compiled validators are cached.
 */
export class ExchangeChecker {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    // OpenAPI's own schema keywords are annotations here (`examples` already is one in 2020-12).
    for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs']) {
      this.ajv.addKeyword({ keyword });
    }
    this.ajv.addSchema(doc, SPEC_ID);
    this.validators = new Map();
  }

  /** Returns the (cached) validator for the schema at JSON Pointer @p ptr of the spec. */
  validatorAt(ptr) {
    let validate = this.validators.get(ptr);
    if (!validate) {
      validate = this.ajv.compile({ $ref: SPEC_ID + pointerToFragment(ptr) });
      this.validators.set(ptr, validate);
    }
    return validate;
  }

  /** Validates @p value against the schema at @p ptr; returns null or a message. */
  validate(ptr, value) {
    const validate = this.validatorAt(ptr);
    return validate(value) ? null : formatAjvErrors(validate.errors);
  }

  /** The schema at @p ptr with top-level `$ref`s followed (to look at its `type`). */
  resolvedSchema(ptr) {
    let schema = getAtPointer(this.doc, ptr);
    const seen = new Set();
    while (schema && typeof schema === 'object' && typeof schema.$ref === 'string' && !seen.has(schema.$ref)) {
      seen.add(schema.$ref);
      schema = getAtPointer(this.doc, refToPointer(schema.$ref));
    }
    return schema && typeof schema === 'object' ? schema : {};
  }

  /**
   * Coerces a string (header, query or path value) for the schema at @p ptr:
   * arrays are comma-separated strings; integers, numbers and booleans are
   * converted when the schema does not also allow a string.
   */
  coerce(ptr, text) {
    const schema = this.resolvedSchema(ptr);
    const types = typeList(schema);
    if (types.includes('array')) {
      const itemsPtr = schema.items ? this.schemaPointerOf(ptr, 'items') : null;
      return text.split(',').map((item) => (itemsPtr ? this.coerce(itemsPtr, item) : item));
    }
    return coerceScalar(types, text);
  }

  /** Pointer of sub-schema @p key of the schema at @p ptr, following top-level `$ref`s. */
  schemaPointerOf(ptr, key) {
    let at = ptr;
    let schema = getAtPointer(this.doc, at);
    const seen = new Set();
    while (schema && typeof schema.$ref === 'string' && !seen.has(schema.$ref)) {
      seen.add(schema.$ref);
      at = refToPointer(schema.$ref);
      schema = getAtPointer(this.doc, at);
    }
    return at + pointer(key);
  }

  /** Checks one exchange; returns a list of failure reasons (empty when it conforms). */
  checkExchange(exchange) {
    const req = exchange?.request;
    const res = exchange?.response;
    if (!req || !res || typeof req.method !== 'string' || typeof req.path !== 'string') {
      return ['not an exchange (needs request.method, request.path and response)'];
    }
    const method = req.method.toUpperCase();
    if (method === 'OPTIONS') return null; // CORS preflight: skipped
    const status = Number(res.status);
    const [path, query = ''] = splitOnce(req.path, '?');
    const resHeaders = parseHeaderBlock(res.headers);
    const resBody = res.body ?? '';

    const match = matchPath(this.doc, path);
    if (!match) {
      if (status !== 404) return [`unknown path: status ${status}, expected 404`];
      return this.checkProblemReply(resHeaders, resBody);
    }

    const pathPtr = deref(this.doc, pointer('paths', match.template)).pointer;
    const pathItem = getAtPointer(this.doc, pathPtr);
    const methods = pathMethods(this.doc, match.template);
    if (!methods.includes(method)) {
      return this.checkMethodNotAllowed(pathPtr, methods, status, resHeaders, resBody);
    }

    const opPtr = pathPtr + pointer(method.toLowerCase());
    const operation = pathItem[method.toLowerCase()];
    const failures = [];
    const responseKey = pickResponse(operation.responses ?? {}, status);
    if (!responseKey) {
      const declared = Object.keys(operation.responses ?? {}).join(', ');
      failures.push(`undeclared status ${status} for ${method} ${match.template} (declared: ${declared})`);
    } else {
      failures.push(...this.checkResponse(opPtr + pointer('responses', responseKey), status, resHeaders, resBody));
    }
    if (status >= 200 && status < 300) {
      failures.push(...this.checkRequest(pathPtr, opPtr, match.params, query, req));
    }
    return failures;
  }

  /** 404 for an unknown path: a Problem body. */
  checkProblemReply(headers, body) {
    const failures = [];
    const type = headerValue(headers, 'content-type');
    if (baseMediaType(type) !== 'application/problem+json') {
      failures.push(`problem reply has Content-Type ${type ?? '(none)'}, expected application/problem+json`);
      return failures;
    }
    failures.push(...this.checkJsonBody(PROBLEM_POINTER, body, 'problem body'));
    return failures;
  }

  /** A method the spec does not define on a known path: 405, Problem body, exact Allow. */
  checkMethodNotAllowed(pathPtr, methods, status, headers, body) {
    if (status !== 405) {
      return [`method not in spec for this path (spec has ${methods.join(', ')}): status ${status}, expected 405`];
    }
    const failures = [];
    // The path's operations declare their 405 reply (headers, Problem body): use it when there is one.
    const item = getAtPointer(this.doc, pathPtr);
    const declaring = methods.find((m) => item[m.toLowerCase()].responses?.['405']);
    if (declaring) {
      failures.push(
        ...this.checkResponse(pathPtr + pointer(declaring.toLowerCase(), 'responses', '405'), 405, headers, body),
      );
    } else {
      failures.push(...this.checkProblemReply(headers, body));
    }
    const allow = headerValue(headers, 'allow');
    if (allow === undefined) {
      if (!failures.some((f) => /header Allow/.test(f))) failures.push('405 without an Allow header');
    } else {
      const listed = allow
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean);
      const want = [...methods].sort();
      const got = [...listed].sort();
      if (want.join(',') !== got.join(',')) {
        failures.push(`Allow is "${allow}", expected exactly ${methods.join(', ')} (any order)`);
      } else if (!/^[A-Z]+(, [A-Z]+)*$/.test(allow)) {
        failures.push(`Allow is "${allow}": methods must be separated by ", "`);
      }
    }
    return failures;
  }

  /** Checks headers and body of a response against the response object at @p ptr. */
  checkResponse(ptr, status, headers, body) {
    const failures = [];
    const { value: response, pointer: responsePtr } = deref(this.doc, ptr);

    for (const name of Object.keys(response.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') continue; // described by `content`, per OpenAPI
      const { value: header, pointer: headerPtr } = deref(this.doc, responsePtr + pointer('headers', name));
      const value = headerValue(headers, name);
      if (value === undefined) {
        if (header.required) failures.push(`missing required header ${name} on ${status}`);
        continue;
      }
      if (header.schema) {
        const schemaPtr = headerPtr + '/schema';
        const error = this.validate(schemaPtr, this.coerce(schemaPtr, value));
        if (error) failures.push(`header ${name}: ${JSON.stringify(value)}: ${error}`);
      }
    }

    const content = response.content ?? {};
    const declared = Object.keys(content);
    const contentType = headerValue(headers, 'content-type');
    if (declared.length === 0) {
      if (body !== '') failures.push(`status ${status} declares no content but the body is not empty`);
      return failures;
    }
    if (contentType === undefined) {
      failures.push(`missing Content-Type on ${status} (declared: ${declared.join(', ')})`);
      return failures;
    }
    const base = baseMediaType(contentType);
    const key = declared.find((k) => baseMediaType(k) === base);
    if (key === undefined) {
      failures.push(`Content-Type ${contentType} not declared for ${status} (declared: ${declared.join(', ')})`);
      return failures;
    }
    const media = deref(this.doc, responsePtr + pointer('content', key));
    if (isJsonMediaType(base) && media.value?.schema) {
      failures.push(...this.checkJsonBody(media.pointer + '/schema', body, `response body (${status} ${base})`));
    }
    return failures;
  }

  /** Parses @p body as JSON and validates it against the schema at @p schemaPtr. */
  checkJsonBody(schemaPtr, body, what) {
    let value;
    try {
      value = JSON.parse(body);
    } catch (e) {
      return [`${what} is not valid JSON (${body === '' ? 'empty' : e.message})`];
    }
    const error = this.validate(schemaPtr, value);
    return error ? [`${what}: ${error}`] : [];
  }

  /** For 2xx replies: the request's query, path parameters and body were valid. */
  checkRequest(pathPtr, opPtr, pathParams, query, req) {
    const failures = [];
    const params = this.operationParameters(pathPtr, opPtr);

    for (const [name, raw] of Object.entries(pathParams)) {
      const param = params.get(`path:${name}`);
      if (!param) {
        failures.push(`path parameter {${name}} is not declared`);
        continue;
      }
      if (!param.value.schema) continue;
      const schemaPtr = param.pointer + '/schema';
      const value = decodePathSegment(raw);
      const error = this.validate(schemaPtr, this.coerce(schemaPtr, value));
      if (error) failures.push(`path parameter ${name}=${JSON.stringify(value)} accepted with 2xx: ${error}`);
    }

    for (const [name, value] of parseQuery(query)) {
      const param = params.get(`query:${name}`);
      if (!param) {
        failures.push(`unknown query parameter ${name} accepted with 2xx`);
        continue;
      }
      if (!param.value.schema) continue;
      const schemaPtr = param.pointer + '/schema';
      const error = this.validate(schemaPtr, this.coerce(schemaPtr, value));
      if (error) failures.push(`query parameter ${name}=${JSON.stringify(shorten(value, 60))} accepted with 2xx: ${error}`);
    }

    const operation = getAtPointer(this.doc, opPtr);
    const body = req.body ?? '';
    if (operation.requestBody) {
      const { value: requestBody, pointer: rbPtr } = deref(this.doc, opPtr + '/requestBody');
      if (body === '') {
        if (requestBody.required) failures.push('request body is required but none was sent (2xx)');
        return failures;
      }
      const contentType = headerValue(parseHeaderList(req.headers), 'content-type');
      const declared = Object.keys(requestBody.content ?? {});
      const base = baseMediaType(contentType);
      const key = declared.find((k) => baseMediaType(k) === base);
      if (key === undefined) {
        failures.push(
          `request Content-Type ${contentType ?? '(none)'} accepted with 2xx but not declared (declared: ${declared.join(', ')})`,
        );
        return failures;
      }
      const media = deref(this.doc, rbPtr + pointer('content', key));
      if (isJsonMediaType(base) && media.value?.schema) {
        failures.push(...this.checkJsonBody(media.pointer + '/schema', body, 'request body (accepted with 2xx)'));
      }
    }
    return failures;
  }

  /** Path-level and operation-level parameters, keyed `in:name` (operation wins). */
  operationParameters(pathPtr, opPtr) {
    const params = new Map();
    for (const base of [pathPtr, opPtr]) {
      const list = getAtPointer(this.doc, base + '/parameters') ?? [];
      list.forEach((_, i) => {
        const resolved = deref(this.doc, base + pointer('parameters', i));
        params.set(`${resolved.value.in}:${resolved.value.name}`, resolved);
      });
    }
    return params;
  }
}

function typeList(schema) {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  return [];
}

function coerceScalar(types, text) {
  if (types.length === 0 || types.includes('string')) return text;
  if ((types.includes('integer') || types.includes('number')) && /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text)) {
    return Number(text);
  }
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.includes('null') && text === '') return null;
  return text;
}

function splitOnce(text, sep) {
  const i = text.indexOf(sep);
  return i < 0 ? [text] : [text.slice(0, i), text.slice(i + 1)];
}

/** The key of the response that covers @p status: exact, `2XX`-style range, then `default`. */
function pickResponse(responses, status) {
  const exact = String(status);
  if (Object.hasOwn(responses, exact)) return exact;
  const range = `${exact[0]}XX`;
  for (const key of Object.keys(responses)) if (key.toUpperCase() === range) return key;
  if (Object.hasOwn(responses, 'default')) return 'default';
  return null;
}

/**
 * Checks a whole exchanges file (its text). Returns
 * `{ checked, skipped, failures: [{ line, method, path, reason }] }`.
 */
export function checkExchangesText(doc, text) {
  const checker = new ExchangeChecker(doc);
  const failures = [];
  let checked = 0;
  let skipped = 0;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNo = i + 1;
    let exchange;
    try {
      exchange = JSON.parse(line);
    } catch (e) {
      checked++;
      failures.push({ line: lineNo, method: '-', path: '-', reason: `not valid JSON: ${e.message}` });
      return;
    }
    const reasons = checker.checkExchange(exchange);
    if (reasons === null) {
      skipped++;
      return;
    }
    checked++;
    for (const reason of reasons) {
      failures.push({
        line: lineNo,
        method: String(exchange?.request?.method ?? '-'),
        path: String(exchange?.request?.path ?? '-'),
        reason,
      });
    }
  });
  return { checked, skipped, failures };
}

/** Formats one failure as a single line. */
export function formatFailure(f) {
  return `line ${f.line}: ${f.method} ${shorten(f.path)}: ${f.reason}`;
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node tools/check-exchanges.mjs <openapi.yaml> <exchanges.jsonl>\n');
    return 2;
  }
  const [specFile, exchangesFile] = argv;
  let doc;
  let text;
  try {
    doc = loadSpec(specFile);
    text = readFileSync(exchangesFile, 'utf8');
  } catch (e) {
    process.stderr.write(`check-exchanges: ${e.message}\n`);
    return 2;
  }
  const { checked, skipped, failures } = checkExchangesText(doc, text);
  for (const f of failures) process.stdout.write(formatFailure(f) + '\n');
  const failing = new Set(failures.map((f) => f.line)).size;
  process.stdout.write(
    `${checked} exchanges checked, ${failures.length} failures` +
      ` (${failing} exchanges failing, ${skipped} CORS preflights skipped)\n`,
  );
  return failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
