import pytest

# the Structure area needs the optional extra `structure` (pymatgen, spglib)
pytest.importorskip("pymatgen")
pytest.importorskip("spglib")


@pytest.fixture(scope="session")
def paper():
    from sizno.data import read_toml

    return read_toml("reference/paper-values.toml")
