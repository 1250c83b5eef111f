import { describe, expect, it } from 'vitest';
import { bySpecificity, compileRoute, matchRoute } from './routes.js';

describe('route templates', () => {
  it('binds parameters, optional parameters, defaults and catch-alls', () => {
    expect(matchRoute(compileRoute('exports/{id}/runs'), '/exports/abc/runs')).toEqual({ id: 'abc' });
    expect(matchRoute(compileRoute('connections/{id?}'), 'connections')).toEqual({});
    expect(matchRoute(compileRoute('connections/{id?}'), 'connections/c1')).toEqual({ id: 'c1' });
    expect(matchRoute(compileRoute('reports/{kind=all}'), 'reports')).toEqual({ kind: 'all' });
    expect(matchRoute(compileRoute('files/{*path}'), 'files/a/b%20c.csv')).toEqual({ path: 'a/b c.csv' });
    expect(matchRoute(compileRoute('Segments'), 'segments')).toEqual({});
  });

  it('applies constraints', () => {
    const route = compileRoute('items/{n:int}/{code:alpha:length(3)}');
    expect(matchRoute(route, 'items/12/abc')).toEqual({ n: '12', code: 'abc' });
    expect(matchRoute(route, 'items/x/abc')).toBeUndefined();
    expect(matchRoute(route, 'items/12/abcd')).toBeUndefined();
    expect(matchRoute(compileRoute('runs/{id:guid}'), 'runs/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeDefined();
    expect(() => compileRoute('items/{n:nosuch}')).toThrow(/unknown constraint 'nosuch'/);
  });

  it('rejects paths with extra or missing segments', () => {
    expect(matchRoute(compileRoute('exports/{id}'), 'exports/a/b')).toBeUndefined();
    expect(matchRoute(compileRoute('exports/{id}'), 'exports')).toBeUndefined();
  });

  it('orders literal segments before parameters, constrained before free', () => {
    const routes = ['items/{id}', 'items/special', 'items/{id:int}', '{*all}'].map(compileRoute).sort(bySpecificity);
    expect(routes.map((r) => r.template)).toEqual(['items/special', 'items/{id:int}', 'items/{id}', '{*all}']);
  });

  it('keeps a malformed percent-escape as written, for the function to validate', () => {
    expect(matchRoute(compileRoute('runs/{id}'), '/runs/%ZZ')).toEqual({ id: '%ZZ' });
    expect(matchRoute(compileRoute('runs/{id}'), '/runs/%')).toEqual({ id: '%' });
    expect(matchRoute(compileRoute('files/{*rest}'), '/files/a%20b/%E0%A4%A')).toEqual({ rest: 'a b/%E0%A4%A' });
  });
});
