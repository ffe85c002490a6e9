/** Errors the API answers with a stable code; everything else is a 500 whose message is hidden. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: number | string) =>
  new ApiError(404, `${what.toUpperCase()}_NOT_FOUND`, `${what} ${id} does not exist`);

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
