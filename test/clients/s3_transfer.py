"""S3 through boto3 as Python applications use it: the managed transfers
(upload_file / download_file, threaded multipart) and the plain calls around them.

Reads STRATUS_URL, ROOT_AK, ROOT_SK and WORK_DIR from the environment and prints
one JSON object with what each step returned, for the Node test to assert on.
With ADDRESSING=virtual the client uses virtual-hosted-style URLs
(<bucket>.s3.localhost, which must resolve) and the 40 MB transfer is skipped.
"""
import hashlib
import json
import os
import threading
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MB = 1024 * 1024
url = os.environ["STRATUS_URL"]
work = os.environ["WORK_DIR"]
s3 = boto3.client(
    "s3",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id=os.environ["ROOT_AK"],
    aws_secret_access_key=os.environ["ROOT_SK"],
    config=Config(s3={"addressing_style": os.environ.get("ADDRESSING", "path")}, retries={"max_attempts": 1}),
)
big = os.environ.get("ADDRESSING", "path") == "path"


def md5_of(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MB), b""):
            h.update(chunk)
    return h.hexdigest()


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


out = {}
bucket = "boto3-transfers"
s3.create_bucket(Bucket=bucket)
config = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=4, use_threads=True)


def big_transfer():
    """40 MB of random data: over the 8 MB threshold, so five 8 MB parts on four threads."""
    src = os.path.join(work, "forty.bin")
    with open(src, "wb") as f:
        for _ in range(40):
            f.write(os.urandom(MB))
    out["sourceMd5"] = md5_of(src)
    seen = set()
    lock = threading.Lock()

    def on_progress(_n):
        with lock:
            seen.add(threading.get_ident())

    s3.upload_file(src, bucket, "big/forty.bin", Config=config, ExtraArgs={"ContentType": "application/x-forty", "Metadata": {"via": "boto3"}}, Callback=on_progress)
    out["uploadThreads"] = len(seen)
    head = s3.head_object(Bucket=bucket, Key="big/forty.bin", ChecksumMode="ENABLED")
    out["head"] = {
        "ContentLength": head["ContentLength"],
        "ETag": head["ETag"],
        "ContentType": head["ContentType"],
        "Metadata": head["Metadata"],
        "ChecksumCRC32": head.get("ChecksumCRC32"),
    }
    out["parts"] = [s3.head_object(Bucket=bucket, Key="big/forty.bin", PartNumber=n)["ContentLength"] for n in (1, 5)]
    dst = os.path.join(work, "forty.back")
    s3.download_file(bucket, "big/forty.bin", dst, Config=config)
    out["downloadMd5"] = md5_of(dst)
    os.remove(dst)
    os.remove(src)


if big:
    big_transfer()

# Below the threshold: one PutObject, with boto3's default CRC32.
small = os.path.join(work, "small.txt")
with open(small, "wb") as f:
    f.write(b"small file via upload_file\n")
s3.upload_file(small, bucket, "small.txt", Config=config)
got = s3.get_object(Bucket=bucket, Key="small.txt", ChecksumMode="ENABLED")
out["small"] = {"body": got["Body"].read().decode(), "ETag": got["ETag"], "ChecksumCRC32": got.get("ChecksumCRC32")}

# Plain calls around the transfers.
put = s3.put_object(Bucket=bucket, Key="plain.json", Body=b'{"a": 1}', ContentType="application/json", ChecksumAlgorithm="SHA256")
out["put"] = {"ETag": put["ETag"], "ChecksumSHA256": put.get("ChecksumSHA256")}
presigned = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "plain.json"}, ExpiresIn=300)
with urllib.request.urlopen(presigned) as r:
    out["presigned"] = {"status": r.status, "body": r.read().decode(), "contentType": r.headers["Content-Type"]}
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
    keys += [o["Key"] for o in page.get("Contents", [])]
out["keys"] = keys
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
out["deleted"] = sorted(d["Key"] for d in deleted.get("Deleted", []))
out["uploadsLeft"] = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
out["errors"] = {
    "noKey": error_of(s3.head_object, Bucket=bucket, Key="big/forty.bin"),
    "noBucket": error_of(s3.get_object, Bucket="boto3-missing", Key="x"),
}
s3.delete_bucket(Bucket=bucket)
print(json.dumps(out))
