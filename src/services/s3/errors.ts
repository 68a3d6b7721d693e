/**
 * S3's errors with the codes, statuses, messages and extra XML members AWS
 * sends (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 */
import { ServiceError } from '../../core/errors.js';

const e = (code: string, message: string, status: number, fields?: Record<string, unknown>, headers?: Record<string, string>) =>
  new ServiceError(code, message, { status, fields, headers });

export const s3Errors = {
  noSuchBucket: (bucket: string) => e('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string, headers?: Record<string, string>) => e('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }, headers),
  noSuchVersion: (key: string, versionId: string) => e('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId }),
  bucketNotEmpty: (bucket: string) => e('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    e('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: bucket }),
  invalidArgument: (message: string, name?: string, value?: string) =>
    e('InvalidArgument', message, 400, name === undefined ? undefined : { ArgumentName: name, ArgumentValue: value }),
  invalidRequest: (message: string) => e('InvalidRequest', message, 400),
  malformedXml: () => e('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400),
  invalidRange: (size: number, range: string) =>
    e('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: range, ActualObjectSize: size }, { 'content-range': `bytes */${size}` }),
  preconditionFailed: (condition: string) => e('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition }),
  notModified: () => e('NotModified', 'Not Modified', 304),
  badDigest: (message = 'The Content-MD5 you specified did not match what we received.') => e('BadDigest', message, 400),
  invalidDigest: () => e('InvalidDigest', 'The Content-MD5 you specified is not valid.', 400),
  incompleteBody: () => e('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400),
  entityTooLarge: (size: number, max: number) => e('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { ProposedSize: size, MaxSizeAllowed: max }),
  entityTooSmall: (size: number, min: number) => e('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, { ProposedSize: size, MinSizeAllowed: min }),
  missingContentLength: () => e('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411),
  methodNotAllowed: (method: string, resourceType: string) =>
    e('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: method, ResourceType: resourceType }),
  accessDenied: (message = 'Access Denied') => e('AccessDenied', message, 403),
  noSuchUpload: (uploadId: string) =>
    e('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: uploadId }),
  noSuchTagSet: (bucket: string) => e('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: bucket }),
  invalidTag: (message: string) => e('InvalidTag', message, 400),
  noSuchConfiguration: (code: string, message: string, bucket: string) => e(code, message, 404, { BucketName: bucket }),
  aclNotSupported: () => e('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400),
  invalidLocationConstraint: () => e('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400),
  illegalLocationConstraint: (region: string, requested: string) =>
    e('IllegalLocationConstraintException', `The ${requested} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400),
  invalidStorageClass: () => e('InvalidStorageClass', 'The storage class you specified is not valid', 400),
  keyTooLong: () => e('KeyTooLongError', 'Your key is too long', 400),
};
