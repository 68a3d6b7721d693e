/**
 * Bucket names and object keys: the checks S3 makes before it looks anything up.
 *
 * Bucket names follow the general purpose bucket rules
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * (3–63 characters of a-z 0-9 . -, a letter or digit at both ends, no "..",
 * not an IPv4 address, reserved prefixes and suffixes). The account regional
 * namespace (names ending in -<account>-<region>-an, CreateBucket's
 * x-amz-bucket-namespace) is not in Stratus' S3 model, so those names are
 * treated as ordinary global names.
 *
 * Object keys: "a sequence of Unicode characters whose UTF-8 encoding is at
 * most 1,024 bytes long" https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 * S3 answers a longer key with KeyTooLongError and the Size/MaxSizeAllowed
 * members. A key that is not valid UTF-8 (raw bytes such as %AE%8A in the
 * path, or an encoded surrogate) is answered 400 InvalidURI "Couldn't parse
 * the specified URI." (observed on AWS: s3proxy#201, ceph/s3-tests#156,
 * apache/ozone#10860). A JavaScript string cannot hold invalid UTF-8, only
 * lone surrogates (for example from an XML character reference), so that is
 * what `validateObjectKey` looks for; decoding failures of the request path
 * itself happen in the protocol layer.
 */
import { ServiceError } from '../../core/errors.js';

export const BUCKET_NAME_MIN = 3;
export const BUCKET_NAME_MAX = 63;
export const KEY_MAX_BYTES = 1024;

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** "Must not be formatted as an IP address (for example, 192.168.5.4)": four dotted numbers. */
const IPV4_SHAPE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Whether CreateBucket accepts `name` (the rules every Region enforces since March 2018). */
export function isValidBucketNameForCreate(name: string): boolean {
  if (name.length < BUCKET_NAME_MIN || name.length > BUCKET_NAME_MAX) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..')) return false;
  if (IPV4_SHAPE.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return false;
  return true;
}

/**
 * Whether `name` could name a bucket at all: us-east-1 once allowed up to 255
 * characters with upper case and underscores, and such buckets still exist
 * and are still addressed path-style. A name failing even this can never
 * exist, so an operation on an existing bucket may answer InvalidBucketName
 * for it where any other unknown name is NoSuchBucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (legacy us-east-1 names)
 */
export function isLegacyBucketName(name: string): boolean {
  return name.length >= BUCKET_NAME_MIN && name.length <= 255 && /^[A-Za-z0-9._-]+$/.test(name);
}

export function invalidBucketName(name: string): ServiceError {
  return new ServiceError('InvalidBucketName', 'The specified bucket is not valid.', {
    status: 400,
    fields: { BucketName: name },
  });
}

/** Throws InvalidBucketName unless CreateBucket would accept `name`. */
export function validateBucketName(name: string): void {
  if (!isValidBucketNameForCreate(name)) throw invalidBucketName(name);
}

// With the u flag a well-formed pair is one code point, so this only matches a lone half.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** UTF-8 length of a key; undefined when the key is not well-formed Unicode. */
export function objectKeyBytes(key: string): number | undefined {
  return LONE_SURROGATE.test(key) ? undefined : Buffer.byteLength(key, 'utf8');
}

/**
 * Throws InvalidURI for a key that is not well-formed Unicode and
 * KeyTooLongError for one over 1,024 UTF-8 bytes. An empty key is left to the
 * caller: on the wire it addresses the bucket, not an object.
 */
export function validateObjectKey(key: string): void {
  const size = objectKeyBytes(key);
  if (size === undefined) {
    throw new ServiceError('InvalidURI', "Couldn't parse the specified URI.", { status: 400 });
  }
  if (size > KEY_MAX_BYTES) {
    throw new ServiceError('KeyTooLongError', 'Your key is too long', {
      status: 400,
      fields: { Size: size, MaxSizeAllowed: KEY_MAX_BYTES },
    });
  }
}
