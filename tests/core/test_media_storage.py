"""Uploaded files for several app servers (issue 19, ADR 0033): a shared volume (MAILLAGE_MEDIA_ROOT)
or an S3-compatible bucket (MAILLAGE_MEDIA_STORAGE=s3, django-storages). No S3-compatible server is
installable here from Debian or PyPI in reasonable time (MinIO and Garage are not packaged; radosgw
needs a Ceph cluster), so the bucket itself is not exercised: these tests check the configuration
and its refusals, that django-storages builds the storage from it, and that uploads and downloads go
through Django's storage API only (an in-memory storage, which has no path on disk, stands in)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from config.operations import media_storage
from maillage.lifecycle.models import Document

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
S3 = {
    "MAILLAGE_MEDIA_STORAGE": "s3",
    "MAILLAGE_S3_BUCKET": "maillage-documents",
    "MAILLAGE_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
    "MAILLAGE_S3_REGION": "fr-par",
    "MAILLAGE_S3_ACCESS_KEY_ID": "SCWXXXXXXXXXXXXXXXXX",
    "MAILLAGE_S3_SECRET_ACCESS_KEY": "secret-de-test",
}
PRODUCTION = {
    "MAILLAGE_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "k" * 50,
    "DATABASE_URL": "postgres://maillage:secret@127.0.0.1:5432/maillage",
    "DJANGO_ALLOWED_HOSTS": "cpts.example.fr",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://cpts.example.fr",
    "DJANGO_EMAIL_HOST": "smtp.example.fr",
    "DJANGO_ADMINS": "Équipe Maillage <exploitation@cpts.example.fr>",
}


def load(tmp_path, **env):
    """(STORAGES["default"] as the settings build it, or None when refused; stderr), in a fresh
    interpreter as gunicorn would load them."""
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "DJANGO_")) and k != "DATABASE_URL"
    }
    full_env.update({k: v for k, v in env.items() if v is not None})
    full_env.update(DJANGO_SETTINGS_MODULE="config.settings", MAILLAGE_VAR_DIR=str(tmp_path))
    code = "import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True)
    return (json.loads(result.stdout) if result.returncode == 0 else None), result.stderr


def test_the_default_is_the_media_root_on_disk(tmp_path):
    shown, stderr = load(tmp_path)
    assert shown == {"BACKEND": "django.core.files.storage.FileSystemStorage"}, stderr


def test_production_loads_a_complete_s3_configuration_with_its_secret_from_a_file(tmp_path):
    secret = tmp_path / "s3-secret"
    secret.write_text("secret-du-fichier\n")
    env = {**PRODUCTION, **S3, "MAILLAGE_S3_SECRET_ACCESS_KEY": None}
    shown, stderr = load(tmp_path, **env, MAILLAGE_S3_SECRET_ACCESS_KEY_FILE=str(secret), MAILLAGE_S3_PREFIX="/idf/")
    assert shown is not None, stderr
    assert shown["BACKEND"] == "storages.backends.s3.S3Storage"
    options = shown["OPTIONS"]
    assert options["bucket_name"] == "maillage-documents" and options["region_name"] == "fr-par"
    assert options["endpoint_url"] == "https://s3.fr-par.scw.cloud" and options["location"] == "idf"
    assert (options["access_key"], options["secret_key"]) == ("SCWXXXXXXXXXXXXXXXXX", "secret-du-fichier")
    assert options["file_overwrite"] is False and options["default_acl"] is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**S3, "MAILLAGE_S3_BUCKET": None}, "il manque MAILLAGE_S3_BUCKET"),
        ({**S3, "MAILLAGE_S3_SECRET_ACCESS_KEY": None}, "il manque MAILLAGE_S3_SECRET_ACCESS_KEY"),
        ({**S3, "MAILLAGE_S3_ACCESS_KEY_ID": None}, "il manque MAILLAGE_S3_ACCESS_KEY_ID"),
        ({**S3, "MAILLAGE_S3_REGION": None}, "il manque MAILLAGE_S3_REGION"),
        ({**S3, "MAILLAGE_S3_ENDPOINT_URL": "http://10.0.0.5:9000"}, "http:// est refusée en production"),
        ({**S3, "MAILLAGE_S3_ENDPOINT_URL": "s3.example.fr"}, "adresse https:// attendue"),
        ({**S3, "MAILLAGE_MEDIA_STORAGE": "ftp"}, "attendu « filesystem » (par défaut) ou « s3 »"),
        ({**S3, "MAILLAGE_MEDIA_STORAGE": None}, "MAILLAGE_MEDIA_STORAGE n'est pas « s3 »"),
    ],
)
def test_production_refuses_an_incomplete_s3_configuration_in_french(tmp_path, env, message):
    shown, stderr = load(tmp_path, **PRODUCTION, **env)
    assert shown is None
    assert "ImproperlyConfigured" in stderr and message in stderr


def test_outside_production_a_local_http_store_without_region_is_accepted():
    built = media_storage(
        "s3", media_root="/srv/media", bucket="essai", endpoint_url="http://127.0.0.1:9000", region="",
        prefix="", access_key="", secret_key="", production=False,
    )  # fmt: skip
    assert built["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000" and "region_name" not in built["OPTIONS"]
    with pytest.raises(ImproperlyConfigured, match="il manque MAILLAGE_S3_BUCKET"):
        media_storage("s3", media_root="", bucket="", endpoint_url="", region="", prefix="", access_key="",
                      secret_key="", production=False)  # fmt: skip


def test_django_storages_builds_the_s3_storage_from_these_options(settings):
    built = media_storage(
        "s3", media_root="", bucket="maillage-documents", endpoint_url="https://s3.fr-par.scw.cloud",
        region="fr-par", prefix="idf", access_key="AK", secret_key="SK", production=True,
    )  # fmt: skip
    settings.STORAGES = {**settings.STORAGES, "default": built}
    storage = storages.create_storage(built)
    assert (storage.bucket_name, storage.location, storage.region_name) == ("maillage-documents", "idf", "fr-par")
    assert storage.file_overwrite is False


@pytest.fixture
def in_memory_storage(settings, tmp_path):
    """A storage that writes nothing on disk: code that wrote under MEDIA_ROOT or read the file back
    from a path would fail, as it would on S3. MEDIA_ROOT points to a folder that must stay empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return tmp_path / "media"


def test_a_document_is_written_and_downloaded_through_the_storage_api_only(in_memory_storage, coordinator_client):
    response = coordinator_client.post(
        "/c/cmv/parcours/documents/", {"kind": "statutes", "file": SimpleUploadedFile("statuts.pdf", PDF)}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.file.storage.exists(document.file.name)
    download = coordinator_client.get(f"/c/cmv/parcours/documents/{document.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert not in_memory_storage.exists() or not any(in_memory_storage.rglob("*"))
