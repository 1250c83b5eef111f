import { describe, expect, it } from 'vitest';
import { bySpecificity, compileRoute, matchRoute } from './routes.js';

describe('route templates', () => {
  it('binds parameters and catch-alls, literals case-insensitively', () => {
    expect(matchRoute(compileRoute('exports/{id}/runs'), '/exports/abc/runs')).toEqual({ id: 'abc' });
    expect(matchRoute(compileRoute('portal/{*path}'), 'portal/assets/a%20b.js')).toEqual({ path: 'assets/a b.js' });
    expect(matchRoute(compileRoute('portal/{*path}'), 'portal')).toEqual({});
    expect(matchRoute(compileRoute('Segments'), 'segments')).toEqual({});
  });

  it('rejects paths with extra or missing segments, and templates it does not support', () => {
    expect(matchRoute(compileRoute('exports/{id}'), 'exports/a/b')).toBeUndefined();
    expect(matchRoute(compileRoute('exports/{id}'), 'exports')).toBeUndefined();
    expect(() => compileRoute('items/{n:int}')).toThrow(/not supported by the local host/);
    expect(() => compileRoute('files/{*rest}/more')).toThrow(/must be the last segment/);
  });

  it('orders literal segments before parameters before catch-alls', () => {
    const routes = ['items/{id}', '{*all}', 'items/special'].map(compileRoute).sort(bySpecificity);
    expect(routes.map((r) => r.template)).toEqual(['items/special', 'items/{id}', '{*all}']);
  });

  it('keeps a malformed percent-escape as written, for the function to validate', () => {
    expect(matchRoute(compileRoute('runs/{id}'), '/runs/%ZZ')).toEqual({ id: '%ZZ' });
    expect(matchRoute(compileRoute('runs/{id}'), '/runs/%')).toEqual({ id: '%' });
    expect(matchRoute(compileRoute('files/{*rest}'), '/files/a%20b/%E0%A4%A')).toEqual({ rest: 'a b/%E0%A4%A' });
  });
});
