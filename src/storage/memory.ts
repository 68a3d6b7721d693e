/**
 * A DocumentStore held in one process's memory. It is the executable
 * reference for the storage contract (the contract suite runs against it too)
 * and backs throwaway unit tests; it is never picked by the server.
 */
import { ConditionFailedError, type DocumentStore, type ListOptions, type StoredDocument, type WriteCondition, type WriteOp } from './types.js';

function holds(current: StoredDocument | undefined, condition: WriteCondition | undefined): boolean {
  if (!condition) return true;
  if ('ifNotExists' in condition) return current === undefined;
  if ('ifExists' in condition) return current !== undefined;
  return current?.version === condition.ifVersion;
}

export class MemoryDocumentStore implements DocumentStore {
  private tables = new Map<string, Map<string, StoredDocument>>();

  private table(name: string): Map<string, StoredDocument> {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }

  async get<T>(table: string, key: string): Promise<StoredDocument<T> | undefined> {
    const doc = this.table(table).get(key);
    return doc && { key, value: structuredClone(doc.value) as T, version: doc.version };
  }

  async put(table: string, key: string, value: unknown, condition?: WriteCondition): Promise<number> {
    await this.batch([{ op: 'put', table, key, value, condition }]);
    return this.table(table).get(key)!.version;
  }

  async delete(table: string, key: string, condition?: WriteCondition): Promise<boolean> {
    const existed = this.table(table).has(key);
    await this.batch([{ op: 'delete', table, key, condition }]);
    return existed;
  }

  async list<T>(table: string, options: ListOptions = {}): Promise<StoredDocument<T>[]> {
    const keys = [...this.table(table).keys()]
      .filter((k) => (options.prefix === undefined || k.startsWith(options.prefix)) && (options.after === undefined || Buffer.compare(Buffer.from(k), Buffer.from(options.after)) > 0))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const limited = options.limit === undefined ? keys : keys.slice(0, options.limit);
    return Promise.all(limited.map(async (k) => (await this.get<T>(table, k))!));
  }

  async batch(ops: WriteOp[]): Promise<void> {
    for (const op of ops) {
      if (!holds(this.table(op.table).get(op.key), op.condition)) throw new ConditionFailedError(op.table, op.key);
    }
    for (const op of ops) {
      const t = this.table(op.table);
      if (op.op === 'put') t.set(op.key, { key: op.key, value: structuredClone(op.value), version: (t.get(op.key)?.version ?? 0) + 1 });
      else if (op.op === 'delete') t.delete(op.key);
    }
  }

  clear(): void {
    this.tables.clear();
  }
}
