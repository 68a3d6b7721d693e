import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventId, eventKey, newSid, parseEventKey } from './models.js';
import { decodeCursor, encodeCursor, formatPositionToken, nextPosition, parsePositionToken } from './tokens.js';

describe('tokens', () => {
  it('position token: f/ and b/ followed by the timestamp and sequence digits', () => {
    const token = formatPositionToken('f', { timestamp: 1_700_000_000_123, seq: 42 });
    assert.equal(token, 'f/001700000000123000000000042');
    assert.deepEqual(parsePositionToken(token), { direction: 'f', position: { timestamp: 1_700_000_000_123, seq: 42 } });
    assert.equal(parsePositionToken(formatPositionToken('b', { timestamp: 0, seq: 0 })).direction, 'b');
  });

  it('position token: anything else is "The specified nextToken is invalid."', () => {
    for (const bad of ['', 'x/1', 'f/12', 'f/001700000000123000000000042/s', 'F/001700000000123000000000042']) {
      assert.throws(() => parsePositionToken(bad), { code: 'InvalidParameterException', message: 'The specified nextToken is invalid.' });
    }
  });

  it('position token: nextPosition sorts just after the event it follows', () => {
    const sid = newSid();
    const p = { timestamp: 5, seq: 9 };
    const q = nextPosition(p);
    assert.ok(eventKey(sid, p.timestamp, p.seq) < eventKey(sid, q.timestamp, q.seq));
    assert.ok(eventKey(sid, q.timestamp, q.seq) < eventKey(sid, 5, 11));
  });

  it('event key: zero-padded so binary order is time order, and parses back', () => {
    const sid = newSid();
    assert.ok(eventKey(sid, 999, 5) < eventKey(sid, 1000, 1));
    assert.deepEqual(parseEventKey(eventKey(sid, 1_700_000_000_000, 77)), { timestamp: 1_700_000_000_000, seq: 77 });
  });

  it('event id: 56 digits, unique per stream and stable', () => {
    const a = newSid();
    const b = newSid();
    assert.match(eventId(a, 1_700_000_000_000, 1), /^\d{56}$/);
    assert.equal(eventId(a, 1, 2), eventId(a, 1, 2));
    assert.notEqual(eventId(a, 1, 2), eventId(b, 1, 2));
  });

  it('cursor token: round-trips, and a forged or malformed one is refused', () => {
    const token = encodeCursor({ t: 1, s: 'stream', q: 3 });
    assert.deepEqual(decodeCursor(token, (v) => typeof v.t === 'number'), { t: 1, s: 'stream', q: 3 });
    assert.throws(() => decodeCursor('not-base64-json', () => true), { code: 'InvalidParameterException' });
    assert.throws(() => decodeCursor(encodeCursor({ x: 1 }), (v) => typeof v.t === 'number'), { code: 'InvalidParameterException' });
    assert.throws(() => decodeCursor(Buffer.from('[1]').toString('base64url'), () => true), { code: 'InvalidParameterException' });
  });
});
