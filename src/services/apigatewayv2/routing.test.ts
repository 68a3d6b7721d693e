import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePath, parseRouteKey, pathSegments, RouteTable, selectStage } from './routing.js';

const table = (...keys: string[]) => new RouteTable(keys.map((routeKey, i) => ({ routeId: `r${i}`, routeKey })));
const picked = (t: RouteTable, method: string, path: string) => t.match(method, path)?.route.routeKey;

describe('route keys', () => {
  it('parses methods, templates and greedy variables; $default is no route key', () => {
    const k = parseRouteKey('get /pets/{id}/{proxy+}')!;
    assert.equal(k.method, 'GET');
    assert.equal(k.path, '/pets/{id}/{proxy+}');
    assert.equal(k.greedy, true);
    assert.deepEqual(parseRouteKey('ANY /'), { method: 'ANY', path: '/', segments: [], greedy: false });
    assert.equal(parseRouteKey('$default'), undefined);
    assert.equal(parseRouteKey('GET pets'), undefined);
  });

  it('splits paths, keeping the empty segment of a trailing slash', () => {
    assert.deepEqual(pathSegments('/'), []);
    assert.deepEqual(pathSegments('/a/b'), ['a', 'b']);
    assert.deepEqual(pathSegments('/a/'), ['a', '']);
  });

  it('decodes percent escapes (an encoded slash becomes a separator) and keeps malformed ones', () => {
    assert.equal(decodePath('/a%20b/c%2Fd'), '/a b/c/d');
    assert.equal(decodePath('/caf%C3%A9'), '/café');
    assert.equal(decodePath('/100%/x%41'), '/100%/xA');
    assert.equal(decodePath('/plain+sign'), '/plain+sign');
  });
});

describe('AWS routing example (http-api-develop-routes.html)', () => {
  const t = table('GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default');

  it('a full static match wins', () => assert.equal(picked(t, 'GET', '/pets/dog/1'), 'GET /pets/dog/1'));
  it('then a full match with a variable', () => {
    const m = t.match('GET', '/pets/dog/2')!;
    assert.equal(m.route.routeKey, 'GET /pets/dog/{id}');
    assert.deepEqual(m.pathParameters, { id: '2' });
  });
  it('then the method-specific greedy route', () => {
    const m = t.match('GET', '/pets/cat/1')!;
    assert.equal(m.route.routeKey, 'GET /pets/{proxy+}');
    assert.deepEqual(m.pathParameters, { proxy: 'cat/1' });
  });
  it('ANY with a greedy variable beats $default', () => assert.equal(picked(t, 'POST', '/test/5'), 'ANY /{proxy+}'));
  it('$default catches what nothing else does', () => assert.equal(picked(t, 'GET', '/'), '$default'));
});

describe('precedence', () => {
  it('an exact method beats ANY on the same path', () => {
    const t = table('ANY /items', 'GET /items', 'ANY /items/{id}', 'DELETE /items/{id}');
    assert.equal(picked(t, 'GET', '/items'), 'GET /items');
    assert.equal(picked(t, 'POST', '/items'), 'ANY /items');
    assert.equal(picked(t, 'DELETE', '/items/7'), 'DELETE /items/{id}');
    assert.equal(picked(t, 'PUT', '/items/7'), 'ANY /items/{id}');
  });

  it('literal segments beat variables from the left', () => {
    const t = table('GET /{a}/b/c', 'GET /a/{b}/c', 'GET /a/b/{c}');
    assert.equal(picked(t, 'GET', '/a/b/c'), 'GET /a/b/{c}');
    assert.equal(picked(t, 'GET', '/a/x/c'), 'GET /a/{b}/c');
    assert.equal(picked(t, 'GET', '/x/b/c'), 'GET /{a}/b/c');
  });

  it('a literal ANY route beats a method-specific variable route (path first)', () => {
    const t = table('ANY /pets/dog', 'GET /pets/{kind}');
    assert.equal(picked(t, 'GET', '/pets/dog'), 'ANY /pets/dog');
    assert.equal(picked(t, 'GET', '/pets/cat'), 'GET /pets/{kind}');
  });

  it('among greedy routes the longer literal prefix wins, then the exact method', () => {
    const t = table('ANY /{proxy+}', 'ANY /api/{proxy+}', 'GET /api/{proxy+}', 'ANY /api/v1/{rest+}');
    assert.equal(picked(t, 'GET', '/api/v1/x'), 'ANY /api/v1/{rest+}');
    assert.equal(picked(t, 'GET', '/api/x'), 'GET /api/{proxy+}');
    assert.equal(picked(t, 'POST', '/api/x'), 'ANY /api/{proxy+}');
    assert.equal(picked(t, 'POST', '/other'), 'ANY /{proxy+}');
  });

  it('no match and no $default is undefined (404)', () => {
    const t = table('GET /a');
    assert.equal(t.match('POST', '/a'), undefined);
    assert.equal(t.match('GET', '/a/'), undefined);
    assert.equal(t.match('GET', '/b'), undefined);
  });

  it('method matching ignores case in the route key', () => assert.equal(picked(table('post /x'), 'POST', '/x'), 'post /x'));
});

describe('path variables', () => {
  it('a greedy variable does not match its parent path but matches a trailing slash as empty', () => {
    const t = table('ANY /handler/{proxy+}');
    assert.equal(t.match('GET', '/handler'), undefined);
    assert.deepEqual(t.match('GET', '/handler/')!.pathParameters, { proxy: '' });
    assert.deepEqual(t.match('GET', '/handler/a/b/')!.pathParameters, { proxy: 'a/b/' });
  });

  it('a root greedy route does not match /', () => {
    assert.equal(table('ANY /{proxy+}').match('GET', '/'), undefined);
    assert.equal(picked(table('ANY /{proxy+}', 'ANY /'), 'GET', '/'), 'ANY /');
  });

  it('a single variable needs a non-empty segment and several are all extracted', () => {
    const t = table('GET /users/{userId}/posts/{postId}');
    assert.deepEqual(t.match('GET', '/users/u 1/posts/é')!.pathParameters, { userId: 'u 1', postId: 'é' });
    assert.equal(t.match('GET', '/users//posts/1'), undefined);
  });

  it('matching is case-sensitive on paths', () => assert.equal(table('GET /Pets').match('GET', '/pets'), undefined));
});

describe('stages', () => {
  it('a first segment naming a stage selects it, else $default', () => {
    assert.deepEqual(selectStage('/prod/items', ['prod', '$default']), { stage: 'prod', path: '/items' });
    assert.deepEqual(selectStage('/prod', ['prod']), { stage: 'prod', path: '/' });
    assert.deepEqual(selectStage('/prod/', ['prod']), { stage: 'prod', path: '/' });
    assert.deepEqual(selectStage('/items', ['prod', '$default']), { stage: '$default', path: '/items' });
    assert.deepEqual(selectStage('/$default/x', ['$default']), { stage: '$default', path: '/$default/x' });
  });

  it('no matching stage and no $default stage is undefined (404)', () => {
    assert.equal(selectStage('/items', ['prod']), undefined);
    assert.equal(selectStage('/', []), undefined);
  });
});
