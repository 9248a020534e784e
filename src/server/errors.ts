/**
 * Errors a caller can act on: a stable code, a message for a person, an HTTP status (4xx).
 * The API answers them as {"error": {"code", "message"}}; the CLI prints the message and exits 1.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unauthorized = (message = 'this needs an organizer token') => new ApiError(401, 'unauthorized', message);
