/**
 * set-permissions: every object Elastic Transcoder writes into the
 * transcoded bucket (renditions, thumbnails, and the metadata files of
 * extract-metadata) is announced by the bucket's SNS topic; this function
 * makes it readable by anyone with the canned ACL `public-read`, as the book
 * does. The bucket is deployed with Object Ownership "BucketOwnerPreferred"
 * and a Block Public Access setting that allows public ACLs (S3 disables
 * ACLs on new buckets since April 2023), see the example's README.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html
 */
import { PutObjectAclCommand, S3Client } from '@aws-sdk/client-s3';
import type { SNSEvent } from 'aws-lambda';
import { objectOf, s3RecordsOf } from './shared/events.js';

const s3 = new S3Client({});

export const handler = async (event: SNSEvent): Promise<string[]> => {
  const done: string[] = [];
  for (const record of s3RecordsOf(event)) {
    const { bucket, key } = objectOf(record);
    try {
      await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: 'public-read' }));
    } catch (err) {
      // Deleted since the event was sent: nothing left to publish.
      if ((err as Error).name === 'NoSuchKey') continue;
      throw err;
    }
    console.log(`s3://${bucket}/${key} is now public-read`);
    done.push(key);
  }
  return done;
};
