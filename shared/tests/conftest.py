"""The S3 tests run against a real moto server on 127.0.0.1 (fixture ``s3_endpoint``)."""

pytest_plugins = ["medgrade_shared.testing.moto_server", "medgrade_shared.testing.internal_token"]
