/** Shopify-style user errors: a mutation refused for a reason the caller can read, returned in the payload. */

export interface UserError { field: string[] | null; message: string; code?: string }

/** Thrown by the state's rules; resolvers turn it into the payload's userErrors. */
export class UserErrors extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export const refuse = (field: string[] | null, message: string, code?: string) => new UserErrors([{ field, message, ...(code ? { code } : {}) }]);
