import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../core/logger.js';
import { ChannelServer } from './channel.js';
import { ProcessExecutor, type SpawnOptions } from './executor.js';
import { PrespawnPool } from './prespawn.js';

function counting(): { executor: ProcessExecutor; spawns: () => number } {
  const executor = new ProcessExecutor();
  let n = 0;
  const spawn = executor.spawn.bind(executor);
  executor.spawn = (opts: SpawnOptions) => (n++, spawn(opts));
  return { executor, spawns: () => n };
}

test('PrespawnPool.take: a cold start that finds the pool empty claims a runtime already starting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-prespawn-'));
  const channels = new ChannelServer();
  const { executor, spawns } = counting();
  const pool = new PrespawnPool(executor, channels, dir, silentLogger, 1);
  const shape = { family: 'node' as const, interpreter: process.execPath, memoryMb: 128, tmpSizeMb: 512 };
  try {
    pool.warm(shape);
    const proc = await pool.take(shape);
    // The warm-up's start was handed over, and one refill replaces it (a little later, so that
    // its spawn does not hold up the cold start): no third interpreter.
    const deadline = Date.now() + 5_000;
    while (spawns() < 2 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
    await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(spawns(), 2);
    assert.equal(proc.handle.pid > 0, true);
    await proc.handle.destroy(0);
  } finally {
    await pool.close();
    channels.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PrespawnPool.warm: a Node runtime joins the pool warmed, and the pool size is the one given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-prespawn-'));
  const channels = new ChannelServer();
  const { executor, spawns } = counting();
  const pool = new PrespawnPool(executor, channels, dir, silentLogger, 3);
  const shape = { family: 'node' as const, interpreter: process.execPath, memoryMb: 128, tmpSizeMb: 512 };
  try {
    pool.warm(shape);
    const deadline = Date.now() + 10_000;
    while (Object.values(pool.stats())[0] !== 3 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    assert.deepEqual(Object.values(pool.stats()), [3]);
    assert.equal(spawns(), 3);
    const proc = await pool.take(shape);
    await proc.warmed;
    await proc.handle.destroy(0);
  } finally {
    await pool.close();
    channels.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
