/**
 * S3's operations, gathered from one file per concern. Operations of the
 * model missing here (lifecycle, replication, inventory, analytics, object
 * lock, Select...) answer 501 NotImplemented.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import { bucketConfigOperations } from './bucket-config.js';
import { bucketOperations } from './buckets.js';
import type { Operations, S3Context } from './common.js';
import { copyOperations } from './copy.js';
import { listingOperations } from './listing.js';
import { multipartOperations } from './multipart.js';
import { deleteOperations } from './object-delete.js';
import { objectSubresourceOperations } from './object-subresources.js';
import { objectOperations } from './objects.js';

export function s3Operations(c: S3Context): Operations {
  return {
    ...bucketOperations(c),
    ...bucketConfigOperations(c),
    ...objectOperations(c),
    ...deleteOperations(c),
    ...copyOperations(c),
    ...listingOperations(c),
    ...multipartOperations(c),
    ...objectSubresourceOperations(c),
  };
}
