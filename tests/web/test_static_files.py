"""Static files: `collectstatic` writes hashed, gzip-compressed copies, and pages link the hashed names."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from nanobananas.config import settings as product_settings

pytestmark = pytest.mark.django_db

HASHED = re.compile(r"^web/app\.[0-9a-f]{12}\.css$")


def test_the_product_stores_static_files_under_hashed_names() -> None:
    assert product_settings.STORAGES["staticfiles"] == {
        "BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage",
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }


def test_collectstatic_writes_hashed_compressed_files_and_pages_link_them(tmp_path: Path) -> None:
    storages = {**product_settings.STORAGES, "staticfiles": {**product_settings.STORAGES["staticfiles"]}}
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--no-input", "--verbosity", "0")
        manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
        hashed = manifest["web/app.css"]
        assert HASHED.match(hashed)
        source = Path(__file__).resolve().parents[2] / "src/nanobananas/web/static/web/app.css"
        assert gzip.decompress((tmp_path / f"{hashed}.gz").read_bytes()) == (tmp_path / hashed).read_bytes()
        assert (tmp_path / hashed).read_bytes() == source.read_bytes()  # app.css links nothing to rewrite

        html = Client().get("/image/").content.decode()
    assert f'href="/static/{hashed}"' in html
    assert f'<script src="/static/{manifest["web/image.js"]}" defer></script>' in html
    assert "/static/web/app.css" not in html
