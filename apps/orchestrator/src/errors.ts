// Errors are values: a stable code for programs, a message a person can act on, and the HTTP
// status the API answers with. Only the HTTP layer reads `status`; everything else reads `code`.
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, message: string, status: number, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const invalidInput = (message: string, details?: unknown) =>
  new AppError('INVALID_INPUT', message, 400, details);

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found`, 404);

export const conflict = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, 409, details);
