import pytest


@pytest.fixture(autouse=True)
def _atomistic_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SIZNO_CACHE_DIR", str(tmp_path / "cache"))
