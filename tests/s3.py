"""A local S3-compatible server for tests: moto's server mode on a loopback port, in a thread of
the test process, reached over HTTP by boto3 like any S3 endpoint (and by servers started in
subprocesses, with `S3Store.env`).

    with s3_server() as store:      # store.env: the EGOV_S3_* variables; store.keys(), store.read(key)
        ...
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass

_buckets = itertools.count(1)


@dataclass
class S3Store:
    env: dict[str, str]
    client: object

    @property
    def bucket(self) -> str:
        return self.env["EGOV_S3_BUCKET"]

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def fresh_bucket(self) -> S3Store:
        """Another empty bucket on the same server."""
        env = {**self.env, "EGOV_S3_BUCKET": f"egov-test-{next(_buckets)}"}
        self.client.create_bucket(Bucket=env["EGOV_S3_BUCKET"])
        return S3Store(env=env, client=self.client)


@contextlib.contextmanager
def s3_server():
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {"EGOV_S3_ENDPOINT_URL": f"http://{host}:{port}", "EGOV_S3_ACCESS_KEY": "egov-test",
               "EGOV_S3_SECRET_KEY": "egov-test-secret", "EGOV_S3_REGION": "us-east-1", "EGOV_S3_BUCKET": ""}
        client = boto3.client("s3", endpoint_url=env["EGOV_S3_ENDPOINT_URL"], region_name=env["EGOV_S3_REGION"],
                              aws_access_key_id=env["EGOV_S3_ACCESS_KEY"],
                              aws_secret_access_key=env["EGOV_S3_SECRET_KEY"])
        yield S3Store(env=env, client=client).fresh_bucket()
    finally:
        server.stop()
