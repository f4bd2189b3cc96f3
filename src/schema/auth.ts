/**
 * What each mutation asks of the request: a role (scope-auth scopes from the viewer) and a token
 * scope (from the token it signed in with). Every mutation names one of these; a schema test
 * checks that none is left out.
 */
export const writes = { $all: { signedIn: true, token: 'WRITE' } } as const;
export const publishes = { $all: { publisher: true, token: 'PUBLISH' } } as const;
/** Publishing credentials the viewer already holds (revoking a signing key): no role asked, an unknown id is NOT_FOUND. */
export const publishingToken = { $all: { signedIn: true, token: 'PUBLISH' } } as const;
export const adminWrites = { $all: { admin: true, token: 'WRITE' } } as const;
export const adminPublishes = { $all: { admin: true, token: 'PUBLISH' } } as const;
/** Managing tokens takes a full token: a read-only one cannot mint a full one. */
export const fullToken = { $all: { signedIn: true, token: 'FULL' } } as const;
