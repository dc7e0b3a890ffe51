import {
  comparePrecedence,
  compileRouteTemplate,
  pathSegmentsOf,
} from '../../../sandbox/host/http/route-template';

const match = (template: string, path: string) => compileRouteTemplate(template).match(pathSegmentsOf(path));

describe('compileRouteTemplate', () => {
  test('literal segments match case-insensitively', () => {
    expect(match('api/Hooks/DingTalk', '/API/hooks/dingtalk')).toEqual({});
    expect(match('api/hooks', '/api/hooks/extra')).toBeNull();
    expect(match('api/hooks/more', '/api/hooks')).toBeNull();
  });

  test('a trailing slash is ignored', () => {
    expect(match('api/hooks', '/api/hooks/')).toEqual({});
  });

  test('parameters capture decoded segments', () => {
    expect(match('api/users/{id}/events/{eventId}', '/api/users/u%201/events/e2')).toEqual({
      id: 'u 1',
      eventId: 'e2',
    });
  });

  test('optional parameters and defaults', () => {
    expect(match('api/items/{id?}', '/api/items')).toEqual({});
    expect(match('api/items/{id?}', '/api/items/3')).toEqual({ id: '3' });
    expect(match('api/page/{n=1}', '/api/page')).toEqual({ n: '1' });
    expect(match('api/page/{n=1}', '/api/page/4')).toEqual({ n: '4' });
  });

  test('the int constraint takes 32-bit integers only', () => {
    expect(match('api/{id:int}', '/api/2147483647')).toEqual({ id: '2147483647' });
    expect(match('api/{id:int}', '/api/2147483648')).toBeNull();
    expect(match('api/{id:int}', '/api/1.5')).toBeNull();
    expect(match('api/{id:int?}', '/api')).toEqual({});
  });

  test('other constraints, combined and with arguments', () => {
    expect(match('api/{id:guid}', '/api/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).not.toBeNull();
    expect(match('api/{id:guid}', '/api/nope')).toBeNull();
    expect(match('api/{s:alpha:minlength(3)}', '/api/abc')).toEqual({ s: 'abc' });
    expect(match('api/{s:alpha:minlength(3)}', '/api/ab')).toBeNull();
    expect(match('api/{n:range(1,10)}', '/api/11')).toBeNull();
    expect(match('api/{code:regex(^\\d{{3}}$)}', '/api/123')).toEqual({ code: '123' });
    expect(match('api/{code:regex(^\\d{{3}}$)}', '/api/1234')).toBeNull();
  });

  test('a catch-all takes the rest of the path, slashes included, or nothing', () => {
    expect(match('api/files/{*path}', '/api/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('api/files/{**path}', '/api/files')).toEqual({});
  });

  test('complex segments split on their literals', () => {
    expect(match('api/files/{name}.{ext}', '/api/files/report.final.pdf')).toEqual({
      name: 'report.final',
      ext: 'pdf',
    });
  });

  test('bad templates are rejected', () => {
    expect(() => compileRouteTemplate('api/{id:nosuch}')).toThrow(
      "The constraint reference 'nosuch' could not be resolved.",
    );
    expect(() => compileRouteTemplate('api/{*rest}/more')).toThrow(
      /catch-all parameter must be the last segment/,
    );
    expect(() => compileRouteTemplate('api/{id')).toThrow(/unbalanced/);
  });

  test('an empty template matches the root only', () => {
    expect(match('', '/')).toEqual({});
    expect(match('', '/x')).toBeNull();
  });
});

test('precedence puts literals before constrained parameters before parameters before catch-alls', () => {
  const templates = [
    'api/{*rest}',
    'api/items/{id}',
    'api/items/{id:int}',
    'api/items/new',
    'api/items/{name}.{ext}',
  ];
  const sorted = [...templates].sort((a, b) =>
    comparePrecedence(compileRouteTemplate(a).precedence, compileRouteTemplate(b).precedence),
  );
  expect(sorted).toEqual([
    'api/items/new',
    'api/items/{name}.{ext}',
    'api/items/{id:int}',
    'api/items/{id}',
    'api/{*rest}',
  ]);
});
