import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodeLinks } from './code-links.js';
import { inspectZip, sha256Base64 } from './code.js';

/** An empty zip: just the end-of-central-directory record. */
const EMPTY_ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

describe('lambda code', () => {
  it('inspectZip: reads a zip, refuses anything else with Lambda\'s message', async () => {
    assert.deepEqual(await inspectZip(EMPTY_ZIP), { entries: 0, unzippedSize: 0, names: [] });
    await assert.rejects(inspectZip(Buffer.from('PK not really')), { code: 'InvalidParameterValueException', message: 'Could not unzip uploaded file. Please check your file, then try to upload again.' });
  });

  it('sha256Base64: CodeSha256 is the base64 SHA-256 of the package', () => {
    assert.equal(sha256Base64(Buffer.from('abc')), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });

  it('createCodeLinks: a link resolves for 10 minutes, and only with the same secret', () => {
    const links = createCodeLinks(Buffer.from('secret'));
    const now = Date.parse('2026-11-22T03:10:00Z');
    const url = new URL(links.location('http://127.0.0.1:4566/', 'lambda/a/b.zip', now));
    assert.equal(url.origin, 'http://127.0.0.1:4566');
    const token = url.pathname.slice('/_stratus/lambda-code/'.length);
    assert.deepEqual(links.resolveCodeDownload(token, now + 9 * 60 * 1000), { blobKey: 'lambda/a/b.zip' });
    assert.equal(links.resolveCodeDownload(token, now + 11 * 60 * 1000), undefined);
    assert.equal(createCodeLinks(Buffer.from('other')).resolveCodeDownload(token, now), undefined);
    assert.equal(links.resolveCodeDownload('garbage', now), undefined);
  });
});
