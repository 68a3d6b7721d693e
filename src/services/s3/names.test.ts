import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServiceError } from '../../core/errors.js';
import {
  isLegacyBucketName,
  isValidBucketNameForCreate,
  objectKeyBytes,
  validateBucketName,
  validateObjectKey,
} from './names.js';

function rejects(fn: () => void, code: string, message: string, fields?: Record<string, unknown>): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isServiceError(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    assert.equal(err.status, 400);
    if (fields) assert.deepEqual(err.fields, fields);
    return true;
  });
}

describe('S3 bucket names', () => {
  it('accepts the documented good examples', () => {
    for (const name of ['docexamplebucket1', 'log-delivery-march-2020', 'my-hosted-content', 'abc', 'a.b-c', 'a'.repeat(63), '1bucket2', 'my.bucket.name']) {
      assert.equal(isValidBucketNameForCreate(name), true, name);
      validateBucketName(name);
    }
  });

  it('length is 3 to 63 characters', () => {
    assert.equal(isValidBucketNameForCreate('ab'), false);
    assert.equal(isValidBucketNameForCreate(''), false);
    assert.equal(isValidBucketNameForCreate('a'.repeat(64)), false);
  });

  it('only lowercase letters, digits, dots and hyphens', () => {
    for (const name of ['doc_example_bucket', 'DocExampleBucket', 'my bucket', 'bücket', 'bucket!', 'my/bucket']) {
      assert.equal(isValidBucketNameForCreate(name), false, name);
    }
  });

  it('begins and ends with a letter or digit; no two adjacent periods', () => {
    for (const name of ['-bucket', 'bucket-', '.bucket', 'bucket.', 'my..bucket']) {
      assert.equal(isValidBucketNameForCreate(name), false, name);
    }
    assert.equal(isValidBucketNameForCreate('my.-bucket'), true);
  });

  it('not formatted as an IP address', () => {
    assert.equal(isValidBucketNameForCreate('192.168.5.4'), false);
    assert.equal(isValidBucketNameForCreate('999.999.999.999'), false);
    assert.equal(isValidBucketNameForCreate('192.168.5'), true);
    assert.equal(isValidBucketNameForCreate('192.168.5.4.5'), true);
    assert.equal(isValidBucketNameForCreate('192.168.5.a'), true);
  });

  it('reserved prefixes and suffixes', () => {
    for (const name of ['xn--bucket', 'sthree-bucket', 'sthree-configurator', 'amzn-s3-demo-bucket', 'bucket-s3alias', 'bucket--ol-s3', 'bucket.mrap', 'bucket--x-s3', 'bucket--table-s3']) {
      assert.equal(isValidBucketNameForCreate(name), false, name);
    }
    for (const name of ['xn-bucket', 'sthree', 'amzn-s3-demo', 'bucket-s3alias1', 'bucket-ol-s3', 'mrap.bucket', 'bucket-x-s3']) {
      assert.equal(isValidBucketNameForCreate(name), true, name);
    }
  });

  it('validateBucketName throws InvalidBucketName with the BucketName member', () => {
    rejects(() => validateBucketName('Bad_Name'), 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: 'Bad_Name' });
  });

  it('legacy names: upper case and underscores up to 255 characters', () => {
    assert.equal(isLegacyBucketName('My_Old_Bucket'), true);
    assert.equal(isLegacyBucketName('a'.repeat(255)), true);
    assert.equal(isLegacyBucketName('a'.repeat(256)), false);
    assert.equal(isLegacyBucketName('ab'), false);
    assert.equal(isLegacyBucketName('has space'), false);
    assert.equal(isLegacyBucketName('has/slash'), false);
  });
});

describe('S3 object keys', () => {
  it('accepts keys up to 1,024 UTF-8 bytes', () => {
    validateObjectKey('a');
    validateObjectKey('a'.repeat(1024));
    validateObjectKey('photos/2006/February/sample.jpg');
    validateObjectKey('€'.repeat(341)); // 1,023 bytes
    validateObjectKey('😀'.repeat(256)); // 1,024 bytes, surrogate pairs
  });

  it('a key over 1,024 bytes is KeyTooLongError with Size and MaxSizeAllowed', () => {
    rejects(() => validateObjectKey('a'.repeat(1025)), 'KeyTooLongError', 'Your key is too long', { Size: 1025, MaxSizeAllowed: 1024 });
    // 400 characters but 1,200 bytes: the limit counts bytes.
    rejects(() => validateObjectKey('€'.repeat(400)), 'KeyTooLongError', 'Your key is too long', { Size: 1200, MaxSizeAllowed: 1024 });
  });

  it('a key that is not well-formed Unicode is InvalidURI', () => {
    rejects(() => validateObjectKey('bad\uD800key'), 'InvalidURI', "Couldn't parse the specified URI.");
    rejects(() => validateObjectKey('\uDC00'), 'InvalidURI', "Couldn't parse the specified URI.");
    rejects(() => validateObjectKey('x\uDE00\uD83D'), 'InvalidURI', "Couldn't parse the specified URI.");
  });

  it('objectKeyBytes counts UTF-8 bytes', () => {
    assert.equal(objectKeyBytes('abc'), 3);
    assert.equal(objectKeyBytes('é'), 2);
    assert.equal(objectKeyBytes('😀'), 4);
    assert.equal(objectKeyBytes('\uD83D'), undefined);
  });
});
