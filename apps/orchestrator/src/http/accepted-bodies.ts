// What the API accepts as a request body: named in every 415 answer and in the OpenAPI document.
export const ACCEPTED_BODIES = {
  contentTypes: ['application/json'],
  charsets: ['utf-8'],
  encodings: ['identity'],
};
export const UNSUPPORTED_BODY_MESSAGE =
  'Send the request body as JSON: Content-Type application/json, charset utf-8 (or none), without Content-Encoding (identity only).';
