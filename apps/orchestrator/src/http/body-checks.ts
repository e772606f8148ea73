// What the API accepts at its edges, checked before a handler runs: bodies only as UTF-8 JSON
// without Content-Encoding (415 otherwise, naming what is accepted), no key that could reach a
// prototype, and no text (body, query, path) that is not valid Unicode or holds a control character.
import { NO_CONTROL_CHARACTERS } from '@storefleet/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { ACCEPTED_BODIES, UNSUPPORTED_BODY_MESSAGE } from './accepted-bodies.ts';
import { sendError } from './errors.ts';

/** Keys that could reach an object's prototype when a body is merged into another object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** The first text in `value` (keys included) that the API refuses, with where it is and why. */
function refusedText(value: unknown, where: string): { where: string; problem: string } | undefined {
  const check = (text: string, at: string) => {
    if (!text.isWellFormed())
      return { where: at, problem: 'contains a lone surrogate (not valid Unicode text)' };
    if (!NO_CONTROL_CHARACTERS.test(text)) return { where: at, problem: 'contains a control character' };
    return undefined;
  };
  if (typeof value === 'string') return check(value, where);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = refusedText(item, `${where}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = check(key, `${where} (a key)`) ?? refusedText(item, `${where}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** The path to a key like `__proto__` anywhere in a parsed JSON value. */
function prototypeKey(value: unknown, where: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) return `${where}.${key}`;
    const found = prototypeKey(item, `${where}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** `charset` of a Content-Type, lower-cased, if it names one. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

export function registerBodyChecks(app: FastifyInstance): void {
  // Bodies the API cannot read as JSON are refused before parsing, naming what it accepts.
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!hasBody(request)) return payload;
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    const charset = charsetOf(request.headers['content-type'] ?? '');
    const badEncoding = encoding !== undefined && encoding !== '' && encoding !== 'identity';
    const badCharset = charset !== undefined && charset !== 'utf-8' && charset !== 'utf8';
    if (badEncoding || badCharset) {
      const what = badEncoding ? `Content-Encoding ${encoding}` : `charset ${charset}`;
      await sendError(
        request,
        reply,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `${what} is not accepted. ${UNSUPPORTED_BODY_MESSAGE}`,
        {
          accepted: ACCEPTED_BODIES,
        },
      );
    }
    return payload;
  });

  // JSON bodies: parsed as UTF-8, with keys that could reach a prototype refused in words.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim().length === 0)
      return done(new AppError('INVALID_INPUT', 'The JSON request body is empty.', 'validation'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(
        new AppError(
          'INVALID_INPUT',
          `The request body is not valid JSON: ${(error as Error).message}`,
          'validation',
        ),
      );
    }
    const dangerous = prototypeKey(parsed, 'body');
    if (dangerous) {
      return done(
        new AppError(
          'INVALID_INPUT',
          `The request body has the key "${dangerous.split('.').at(-1)}" (at ${dangerous}); keys named __proto__, constructor or prototype are refused because they could change how objects behave.`,
          'validation',
          { where: dangerous },
        ),
      );
    }
    done(null, parsed);
  });

  // Text anywhere in a request (body, query, path parameters) must be valid Unicode without control
  // characters. After validation, so that such requests count against the rate limits too.
  app.addHook('preHandler', async (request) => {
    const found =
      refusedText(request.body, 'body') ??
      refusedText(request.query, 'querystring') ??
      refusedText(request.params, 'params');
    if (found) {
      throw new AppError('INVALID_INPUT', `Invalid request: ${found.where} ${found.problem}.`, 'validation', {
        issues: [{ where: found.where, message: found.problem }],
      });
    }
  });
}
