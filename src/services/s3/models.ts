/**
 * What S3 keeps per bucket and per object version. Records are plain JSON in
 * the DocumentStore; object bytes live in the BlobStore as one or more
 * immutable chunks (a multipart object keeps its parts as they were uploaded,
 * so completing an upload copies nothing), or, for a small object, inline in
 * the version record itself (no blob: a PUT is one transaction, a GET one read).
 */

export type VersioningStatus = 'Enabled' | 'Suspended';
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface Owner {
  ID: string;
  DisplayName?: string;
}

export interface AclGrant {
  Grantee: { Type: string; ID?: string; DisplayName?: string; URI?: string; EmailAddress?: string };
  Permission: string;
}

export interface StoredAcl {
  Owner: Owner;
  Grants: AclGrant[];
}

export interface BucketRecord {
  name: string;
  accountId: string;
  region: string;
  createdAt: string;
  owner: Owner;
  versioning?: VersioningStatus;
  mfaDelete?: 'Enabled' | 'Disabled';
  ownership: ObjectOwnership;
  /** undefined: no configuration (GetPublicAccessBlock answers NoSuchPublicAccessBlockConfiguration). */
  publicAccessBlock?: PublicAccessBlock;
  acl: StoredAcl;
  policy?: string;
  tags?: Array<{ Key: string; Value: string }>;
  cors?: unknown;
  website?: unknown;
  notification?: unknown;
  encryption?: unknown;
  lifecycle?: unknown;
}

/** One stretch of an object's bytes in the BlobStore. */
export interface Chunk {
  blob: string;
  size: number;
}

export interface ObjectVersion {
  /** 'null' for the null version (written while versioning was off or suspended). */
  versionId: string;
  /** Key of this record in the versions table; orders versions newest first. */
  seq: string;
  deleteMarker?: boolean;
  lastModified: string;
  /** Quoted, as S3 returns it. */
  etag?: string;
  size: number;
  /** Empty when the bytes are `inline` (and for a delete marker). */
  chunks: Chunk[];
  /**
   * The whole body, base64, for a small object written without a blob (see
   * S3Store.writeBody). Only in the version record: the head's copy leaves it
   * out, and S3Store.findVersion fetches it.
   */
  inline?: string;
  /** Part sizes of a multipart object (GetObject partNumber, GetObjectAttributes). */
  parts?: number[];
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  websiteRedirectLocation?: string;
  metadata?: Record<string, string>;
  /** Full-object checksums the writer supplied, by S3's member name (ChecksumCRC32...). */
  checksums?: Record<string, string>;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  storageClass?: string;
  tags?: Array<{ Key: string; Value: string }>;
  acl?: StoredAcl;
  owner: Owner;
}

/** Where a version's bytes are: blobs, or inline in the record. */
export type ObjectData = Pick<ObjectVersion, 'chunks' | 'inline'>;

/** The newest version of a key, and where its null version sits in the versions table. */
export interface ObjectHead {
  current: ObjectVersion;
  nullSeq?: string;
}
