// Text in requests: what no request string may hold, and page cursors.
import { z } from 'zod';

/** Characters no text field of a request may hold: C0 and C1 controls (tab and newline included) and DEL. */
export const CONTROL_CHARACTER = '\\x00-\\x1f\\x7f-\\x9f';
/** Text without control characters, as a JSON-Schema-compatible pattern (the API refuses them everywhere). */
export const NO_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL_CHARACTER}]*$`);
/** A request string: refused with 400 when it holds a control character (lone surrogates are refused too). */
export const text = () => z.string().regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');

/** A page cursor: opaque, the `nextCursor` of an earlier page. */
export const pageCursor = () =>
  text()
    .max(200)
    .optional()
    .describe('The nextCursor of an earlier page, as it was; any other value is answered 400 INVALID_INPUT.');
