/**
 * The DocumentStore contract as one node:test suite that every backend must
 * pass (embedded SQLite, the in-memory reference, and later PostgreSQL), in
 * the way Hono's `router/common.case.test.ts` binds every router. Each case
 * gets a fresh store from the factory and cleans it up, so cases never see one
 * another's data. It uses only the public interface of `../types.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionFailedError, type DocumentStore, type WriteCondition } from '../types.js';

export interface ContractFixture<S> {
  store: S;
  cleanup(): Promise<void>;
}
export type ContractFactory<S> = () => Promise<ContractFixture<S>>;

export async function rejectsCondition(promise: Promise<unknown>, table: string, key: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ConditionFailedError, `expected ConditionFailedError, got ${String(err)}`);
    assert.equal(err.table, table);
    assert.equal(err.key, key);
    return true;
  });
}

/** Sorts like the contract: by UTF-8 bytes, not by UTF-16 code units. */
function binarySorted(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

// Chosen so UTF-16 order and UTF-8 byte order disagree ('～' U+FF5E sorts
// before '😀' in UTF-8, after it in UTF-16), and case and accents matter.
const ODD_KEYS = ['b', 'B', 'a', 'A', 'ab', 'aB', 'a/b', 'a b', 'é', 'e', 'éa', 'ê', 'z', '~', '～', '😀', 'a😀', '日本', 'Ω', '0', '9', '_', '%'];

export function runDocumentStoreContract(name: string, factory: ContractFactory<DocumentStore>): void {
  const test = (title: string, fn: (store: DocumentStore) => Promise<void>, timeout = 60_000): void => {
    it(title, { timeout }, async () => {
      const { store, cleanup } = await factory();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`DocumentStore contract: ${name}`, () => {
    describe('basics', () => {
      test('get: returns undefined for a missing key or table', async (s) => {
        assert.equal(await s.get('t', 'missing'), undefined);
        assert.equal(await s.get('never-used-table', 'k'), undefined);
      });

      test('put/get: round-trips a value at version 1', async (s) => {
        assert.equal(await s.put('t', 'k', { a: 1 }), 1);
        assert.deepEqual(await s.get('t', 'k'), { key: 'k', value: { a: 1 }, version: 1 });
      });

      test('put: increments the version on every write', async (s) => {
        assert.equal(await s.put('t', 'k', 'one'), 1);
        assert.equal(await s.put('t', 'k', 'two'), 2);
        assert.equal(await s.put('t', 'k', 'three'), 3);
        assert.deepEqual(await s.get('t', 'k'), { key: 'k', value: 'three', version: 3 });
      });

      test('put: keeps tables independent', async (s) => {
        await s.put('t1', 'k', 'in t1');
        await s.put('t2', 'k', 'in t2');
        await s.put('t2', 'k', 'in t2 again');
        assert.deepEqual(await s.get('t1', 'k'), { key: 'k', value: 'in t1', version: 1 });
        assert.deepEqual(await s.get('t2', 'k'), { key: 'k', value: 'in t2 again', version: 2 });
        await s.delete('t1', 'k');
        assert.equal((await s.get('t2', 'k'))?.value, 'in t2 again');
      });

      test('delete: removes the document and reports whether one existed', async (s) => {
        await s.put('t', 'k', 1);
        assert.equal(await s.delete('t', 'k'), true);
        assert.equal(await s.get('t', 'k'), undefined);
        assert.equal(await s.delete('t', 'k'), false);
        assert.equal(await s.delete('other', 'k'), false);
      });

      test('get: returns a copy, and put stores a snapshot of the value', async (s) => {
        const value = { list: [1, 2], nested: { x: 'y' } };
        await s.put('t', 'k', value);
        value.list.push(3);
        const got = await s.get<typeof value>('t', 'k');
        assert.deepEqual(got?.value, { list: [1, 2], nested: { x: 'y' } });
        got!.value.nested.x = 'mutated';
        assert.deepEqual((await s.get('t', 'k'))?.value, { list: [1, 2], nested: { x: 'y' } });
      });

      test('keys: differ by case and accent as distinct documents', async (s) => {
        for (const k of ['key', 'Key', 'KEY', 'kéy']) await s.put('t', k, k);
        for (const k of ['key', 'Key', 'KEY', 'kéy']) assert.equal((await s.get('t', k))?.value, k);
        assert.equal(await s.get('t', 'kEy'), undefined);
      });
    });

    describe('conditions', () => {
      test('put ifNotExists: creates when absent, fails when present and keeps the value', async (s) => {
        assert.equal(await s.put('t', 'k', 'first', { ifNotExists: true }), 1);
        await rejectsCondition(s.put('t', 'k', 'second', { ifNotExists: true }), 't', 'k');
        assert.deepEqual(await s.get('t', 'k'), { key: 'k', value: 'first', version: 1 });
      });

      test('put ifVersion: writes on the current version only', async (s) => {
        await rejectsCondition(s.put('t', 'k', 'x', { ifVersion: 1 }), 't', 'k');
        assert.equal(await s.get('t', 'k'), undefined);
        await s.put('t', 'k', 'v1');
        await s.put('t', 'k', 'v2');
        await rejectsCondition(s.put('t', 'k', 'stale', { ifVersion: 1 }), 't', 'k');
        await rejectsCondition(s.put('t', 'k', 'future', { ifVersion: 3 }), 't', 'k');
        assert.equal(await s.put('t', 'k', 'v3', { ifVersion: 2 }), 3);
        assert.deepEqual(await s.get('t', 'k'), { key: 'k', value: 'v3', version: 3 });
      });

      test('put ifExists: fails without creating when absent, updates when present', async (s) => {
        await rejectsCondition(s.put('t', 'k', 'x', { ifExists: true }), 't', 'k');
        assert.equal(await s.get('t', 'k'), undefined);
        await s.put('t', 'k', 'v1');
        assert.equal(await s.put('t', 'k', 'v2', { ifExists: true }), 2);
        assert.equal((await s.get('t', 'k'))?.value, 'v2');
      });

      test('delete ifVersion: deletes on the current version, otherwise keeps the document', async (s) => {
        await rejectsCondition(s.delete('t', 'k', { ifVersion: 1 }), 't', 'k');
        await s.put('t', 'k', 'v1');
        await s.put('t', 'k', 'v2');
        await rejectsCondition(s.delete('t', 'k', { ifVersion: 1 }), 't', 'k');
        assert.equal((await s.get('t', 'k'))?.version, 2);
        assert.equal(await s.delete('t', 'k', { ifVersion: 2 }), true);
        assert.equal(await s.get('t', 'k'), undefined);
      });

      test('delete ifExists: fails when absent, deletes when present', async (s) => {
        await rejectsCondition(s.delete('t', 'k', { ifExists: true }), 't', 'k');
        await s.put('t', 'k', 1);
        assert.equal(await s.delete('t', 'k', { ifExists: true }), true);
        assert.equal(await s.get('t', 'k'), undefined);
      });

      test('delete ifNotExists: is a no-op when absent, fails when present', async (s) => {
        assert.equal(await s.delete('t', 'k', { ifNotExists: true }), false);
        await s.put('t', 'k', 1);
        await rejectsCondition(s.delete('t', 'k', { ifNotExists: true }), 't', 'k');
        assert.equal((await s.get('t', 'k'))?.value, 1);
      });

      test('batch check: passes or fails for each condition kind without writing', async (s) => {
        await s.put('t', 'present', 'p');
        await s.put('t', 'present', 'p2');
        const passing: [string, WriteCondition][] = [
          ['present', { ifExists: true }],
          ['present', { ifVersion: 2 }],
          ['absent', { ifNotExists: true }],
        ];
        const failing: [string, WriteCondition][] = [
          ['present', { ifNotExists: true }],
          ['present', { ifVersion: 1 }],
          ['absent', { ifExists: true }],
          ['absent', { ifVersion: 1 }],
        ];
        for (const [key, condition] of passing) await s.batch([{ op: 'check', table: 't', key, condition }]);
        for (const [key, condition] of failing) {
          await rejectsCondition(s.batch([{ op: 'check', table: 't', key, condition }]), 't', key);
        }
        assert.deepEqual(await s.get('t', 'present'), { key: 'present', value: 'p2', version: 2 });
        assert.equal(await s.get('t', 'absent'), undefined);
      });
    });

    describe('batch', () => {
      test('batch: applies puts and deletes across tables together', async (s) => {
        await s.put('users', 'alice', { name: 'Alice' });
        await s.put('names', 'old', 'alice');
        await s.batch([
          { op: 'put', table: 'users', key: 'alice', value: { name: 'Alicia' }, condition: { ifVersion: 1 } },
          { op: 'delete', table: 'names', key: 'old', condition: { ifExists: true } },
          { op: 'put', table: 'names', key: 'new', value: 'alice', condition: { ifNotExists: true } },
          { op: 'check', table: 'users', key: 'alice', condition: { ifExists: true } },
        ]);
        assert.deepEqual(await s.get('users', 'alice'), { key: 'alice', value: { name: 'Alicia' }, version: 2 });
        assert.equal(await s.get('names', 'old'), undefined);
        assert.deepEqual(await s.get('names', 'new'), { key: 'new', value: 'alice', version: 1 });
      });

      test('batch: a failing condition in the middle writes nothing and names the failing key', async (s) => {
        await s.put('a', 'existing', 'before');
        await s.put('b', 'doomed', 'still here');
        await s.put('b', 'taken', 'occupied');
        await rejectsCondition(
          s.batch([
            { op: 'put', table: 'a', key: 'existing', value: 'after' },
            { op: 'put', table: 'a', key: 'fresh', value: 'new' },
            { op: 'delete', table: 'b', key: 'doomed' },
            { op: 'put', table: 'b', key: 'taken', value: 'mine', condition: { ifNotExists: true } },
            { op: 'put', table: 'c', key: 'later', value: 'never' },
          ]),
          'b',
          'taken',
        );
        assert.deepEqual(await s.get('a', 'existing'), { key: 'existing', value: 'before', version: 1 });
        assert.equal(await s.get('a', 'fresh'), undefined);
        assert.deepEqual(await s.get('b', 'doomed'), { key: 'doomed', value: 'still here', version: 1 });
        assert.deepEqual(await s.get('b', 'taken'), { key: 'taken', value: 'occupied', version: 1 });
        assert.equal(await s.get('c', 'later'), undefined);
      });

      test('batch: names the first failing op when several fail', async (s) => {
        await s.put('t', 'x', 1);
        await rejectsCondition(
          s.batch([
            { op: 'check', table: 't', key: 'x', condition: { ifExists: true } },
            { op: 'check', table: 't', key: 'y', condition: { ifExists: true } },
            { op: 'check', table: 't', key: 'z', condition: { ifExists: true } },
          ]),
          't',
          'y',
        );
      });

      test('batch: an empty batch is a no-op', async (s) => {
        await s.batch([]);
        assert.deepEqual(await s.list('t'), []);
      });
    });

    describe('list', () => {
      test('list: returns every document in binary (UTF-8 byte) key order with values and versions', async (s) => {
        for (const k of ODD_KEYS) await s.put('t', k, { k });
        await s.put('t', 'a', { k: 'a' });
        await s.put('other', 'zzz', 'elsewhere');
        const docs = await s.list<{ k: string }>('t');
        assert.deepEqual(
          docs.map((d) => d.key),
          binarySorted(ODD_KEYS),
        );
        for (const d of docs) {
          assert.deepEqual(d.value, { k: d.key });
          assert.equal(d.version, d.key === 'a' ? 2 : 1);
        }
      });

      test('list: prefix selects exactly the keys that start with it', async (s) => {
        const keys = ['a', 'a/', 'a/b', 'a/b/c', 'a/😀', 'a/\uFFFF', 'a0', 'a.', 'ab', 'b', 'é', 'éa', 'é😀', 'ê', 'A/b', '%x', '%', '_y', 'xy'];
        for (const k of keys) await s.put('t', k, k);
        const cases = ['a/', 'a', 'é', '😀', '%', '_', 'a/b', 'nothing', 'a/b/c/d'];
        for (const prefix of cases) {
          const got = (await s.list('t', { prefix })).map((d) => d.key);
          assert.deepEqual(got, binarySorted(keys.filter((k) => k.startsWith(prefix))), `prefix ${JSON.stringify(prefix)}`);
        }
        assert.equal((await s.list('t', { prefix: '' })).length, keys.length);
      });

      test('list: after is exclusive and combines with prefix', async (s) => {
        const keys = ['p/1', 'p/2', 'p/3', 'q/1', 'o/9'];
        for (const k of keys) await s.put('t', k, k);
        const keysOf = async (o: { prefix?: string; after?: string }): Promise<string[]> => (await s.list('t', o)).map((d) => d.key);
        assert.deepEqual(await keysOf({ after: 'p/2' }), ['p/3', 'q/1']);
        assert.deepEqual(await keysOf({ after: 'p/1', prefix: 'p/' }), ['p/2', 'p/3']);
        assert.deepEqual(await keysOf({ after: 'p', prefix: 'p/' }), ['p/1', 'p/2', 'p/3']);
        assert.deepEqual(await keysOf({ after: 'a', prefix: 'p/' }), ['p/1', 'p/2', 'p/3']);
        assert.deepEqual(await keysOf({ after: 'p/3', prefix: 'p/' }), []);
        assert.deepEqual(await keysOf({ after: 'z', prefix: 'p/' }), []);
        assert.deepEqual(await keysOf({ after: 'p/25' }), ['p/3', 'q/1']);
      });

      test('list: limit with after pages through every key once, in order', async (s) => {
        for (const k of ODD_KEYS) await s.put('t', k, k);
        for (const limit of [1, 2, 7]) {
          const seen: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await s.list('t', after === undefined ? { limit } : { limit, after });
            assert.ok(page.length <= limit);
            if (page.length === 0) break;
            seen.push(...page.map((d) => d.key));
            after = page[page.length - 1]!.key;
          }
          assert.deepEqual(seen, binarySorted(ODD_KEYS), `limit ${limit}`);
        }
        assert.deepEqual(await s.list('t', { limit: 0 }), []);
        assert.equal((await s.list('t', { limit: 1000 })).length, ODD_KEYS.length);
      });

      test('list: returns nothing for an unknown table', async (s) => {
        await s.put('t', 'k', 1);
        assert.deepEqual(await s.list('unknown'), []);
        assert.deepEqual(await s.list('T'), []);
      });
    });

    describe('values', () => {
      test('values: keep JSON fidelity for nested structures, unicode and numbers', async (s) => {
        const values: unknown[] = [
          {
            nested: { deeper: { deepest: [1, [2, [3, { four: 4 }]]] } },
            empty: { obj: {}, arr: [], str: '' },
            unicode: 'héllo wörld — 日本語 — עברית — 😀👩‍👩‍👧 — \u2028\u2029',
            escapes: 'quote " backslash \\ newline \n tab \t nul-free control \u0001 slash /',
            numbers: [0, -1, 1.5, -2.25e-10, 1e300, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0.1 + 0.2],
            booleans: [true, false],
            nothing: null,
            'key with spaces': 1,
            'ключ': 'значение',
            '😀': '😀',
          },
          [1, 'two', { three: 3 }, null, [[]]],
          'a plain string',
          42,
          -0.5,
          true,
          false,
          null,
        ];
        for (const [i, value] of values.entries()) {
          await s.put('t', `k${i}`, value);
          assert.deepEqual((await s.get('t', `k${i}`))?.value, value, `value #${i}`);
        }
        const listed = await s.list('t');
        assert.deepEqual(
          listed.map((d) => d.value),
          values,
        );
      });

      test('values: round-trip values of about 1 MB', async (s) => {
        const big = { text: 'x€😀'.repeat(150_000), items: Array.from({ length: 20_000 }, (_, i) => ({ i, s: `item-${i}` })) };
        assert.ok(JSON.stringify(big).length > 1_000_000);
        await s.put('t', 'big', big);
        assert.deepEqual((await s.get('t', 'big'))?.value, big);
        assert.deepEqual((await s.list('t'))[0]?.value, big);
        await s.batch([{ op: 'put', table: 't', key: 'big2', value: big }]);
        assert.deepEqual((await s.get('t', 'big2'))?.value, big);
      });
    });

    describe('concurrency', () => {
      test('put ifNotExists: exactly one of 50 concurrent writers wins', async (s) => {
        const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => s.put('locks', 'the-lock', { owner: i }, { ifNotExists: true })));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        assert.equal(won.length, 1);
        for (const r of results) {
          if (r.status === 'rejected') assert.ok(r.reason instanceof ConditionFailedError, String(r.reason));
        }
        assert.deepEqual(await s.get('locks', 'the-lock'), { key: 'the-lock', value: { owner: won[0] }, version: 1 });
      });

      test('put ifVersion: 20 concurrent read-modify-write increments lose no update', async (s) => {
        await s.put('counters', 'c', { n: 0 });
        const increment = async (): Promise<void> => {
          for (;;) {
            const doc = (await s.get<{ n: number }>('counters', 'c'))!;
            try {
              await s.put('counters', 'c', { n: doc.value.n + 1 }, { ifVersion: doc.version });
              return;
            } catch (err) {
              if (!(err instanceof ConditionFailedError)) throw err;
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, increment));
        assert.deepEqual(await s.get('counters', 'c'), { key: 'c', value: { n: 20 }, version: 21 });
      });

      test('batch: concurrent conditional transfers conserve the total', async (s) => {
        await s.put('accounts', 'a', 100);
        await s.put('accounts', 'b', 100);
        const transfer = async (from: string, to: string): Promise<void> => {
          for (;;) {
            const [x, y] = [(await s.get<number>('accounts', from))!, (await s.get<number>('accounts', to))!];
            try {
              await s.batch([
                { op: 'put', table: 'accounts', key: from, value: x.value - 1, condition: { ifVersion: x.version } },
                { op: 'put', table: 'accounts', key: to, value: y.value + 1, condition: { ifVersion: y.version } },
              ]);
              return;
            } catch (err) {
              if (!(err instanceof ConditionFailedError)) throw err;
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? transfer('b', 'a') : transfer('a', 'b'))));
        const [a, b] = [(await s.get<number>('accounts', 'a'))!, (await s.get<number>('accounts', 'b'))!];
        assert.equal(a.value + b.value, 200);
        assert.equal(a.value, 100 - 15 + 5);
        assert.equal(a.version, 21);
        assert.equal(b.version, 21);
      });
    });
  });
}
