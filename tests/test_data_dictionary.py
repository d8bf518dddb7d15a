"""docs/data_dictionary.md is generated from the schemas and must match them."""

from helpers import data_dictionary
from helpers.config import DOCS_DIR


def test_committed_dictionary_is_up_to_date():
    committed = (DOCS_DIR / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary.render(), "run `make docs` and commit docs/data_dictionary.md"


def test_every_raw_column_and_output_field_is_described():
    import importlib

    for name in data_dictionary.STRAND_MODULES:
        module = importlib.import_module(f"helpers.{name}")
        for schema in getattr(module, "RAW_FILES", ()):
            for col in schema.columns:
                assert len(col.description) > 3, f"{schema.filename}:{col.name}"
        for spec in getattr(module, "OUTPUTS", ()):
            for field in spec.fields:
                assert len(field.description) > 3, f"{spec.filename}:{field.name}"
