"""Where uploaded and generated files are kept (ADR 0016).

The embedded default is the file system under MEDIA_ROOT. With S3_BUCKET
set, files go to S3-compatible object storage that every machine running
the service (web and workers) shares. Objects are private: downloads are
served through the app, which checks the reader's scope first, so no
storage address ever reaches a browser.
"""


def object_storage(*, bucket: str, endpoint_url: str | None = None, region: str = "eu-west-2"):
    """The STORAGES entry for a private S3-compatible bucket. Credentials come
    from the usual AWS sources (environment, instance role)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region,
            # Private objects, never public-read; a name already taken gets
            # a suffix rather than replacing the other file.
            "default_acl": None,
            "file_overwrite": False,
            # Should a signed address ever be handed out, it lapses quickly.
            "querystring_auth": True,
            "querystring_expire": 60,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
