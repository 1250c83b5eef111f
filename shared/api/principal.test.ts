import { describe, expect, it } from 'vitest';
import { encodeClientPrincipal, readPrincipal } from './principal.js';

const headers = (values: Record<string, string>) => (name: string) => values[name.toLowerCase()] ?? null;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('readPrincipal', () => {
  it('reads the userRoles form and keeps only the app roles', () => {
    const header = encodeClientPrincipal({ userId: 'u1', userDetails: 'ann@example.com', userRoles: ['anonymous', 'authenticated', 'admin'] });
    expect(readPrincipal(headers({ 'x-ms-client-principal': header }))).toEqual({ userId: 'u1', userDetails: 'ann@example.com', roles: ['admin'] });
  });

  it('reads the claims form with role_typ, object id and name claims', () => {
    const header = b64({
      auth_typ: 'aad',
      name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      claims: [
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'oid-1' },
        { typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', val: 'bob@example.com' },
        { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'contributor' },
        { typ: 'roles', val: 'reader' },
      ],
    });
    expect(readPrincipal(headers({ 'x-ms-client-principal': header }))).toEqual({ userId: 'oid-1', userDetails: 'bob@example.com', roles: ['contributor'] });
  });

  it('falls back to the id and name headers App Service sets', () => {
    const header = b64({ auth_typ: 'aad', claims: [{ typ: 'roles', val: 'admin' }] });
    expect(
      readPrincipal(headers({ 'x-ms-client-principal': header, 'x-ms-client-principal-id': 'id-2', 'x-ms-client-principal-name': 'cy@example.com' })),
    ).toEqual({ userId: 'id-2', userDetails: 'cy@example.com', roles: ['admin'] });
  });

  it('has no principal without the header and without DEV_PRINCIPAL', () => {
    expect(readPrincipal(headers({}))).toBeUndefined();
  });

  it('uses DEV_PRINCIPAL (JSON or base64) only when the header is absent', () => {
    const dev = JSON.stringify({ userId: 'dev', userDetails: 'dev@localhost', roles: ['admin'] });
    expect(readPrincipal(headers({}), dev)).toEqual({ userId: 'dev', userDetails: 'dev@localhost', roles: ['admin'] });
    expect(readPrincipal(headers({}), b64({ userId: 'dev', userRoles: ['contributor'] }))).toEqual({ userId: 'dev', userDetails: '', roles: ['contributor'] });
    const header = encodeClientPrincipal({ userId: 'real', userRoles: ['contributor'] });
    expect(readPrincipal(headers({ 'x-ms-client-principal': header }), dev)?.userId).toBe('real');
  });

  it('answers 401 for a malformed principal', () => {
    expect(() => readPrincipal(headers({ 'x-ms-client-principal': 'not base64 json' }))).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => readPrincipal(headers({ 'x-ms-client-principal': b64([1, 2]) }))).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => readPrincipal(headers({ 'x-ms-client-principal': b64({ userRoles: ['admin'] }) }))).toThrow(/no user id/);
  });
});
