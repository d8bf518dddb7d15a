"""Run the DfE's validation rules (Data to Insight's ``csc-validator-be-903`` and
``csc-validator-be-cin``) on the LA extracts, in the validators' own environment.

This module runs ONLY in ``.venv-validators`` (kernel ``focus-on-practice-validators``): the
validators pin pandas < 2 and numpy < 1.25. It therefore imports nothing from the project but the
configuration and the pseudonymisation key (both plain Python), and it lives outside the
``la_extracts`` package, whose readers need the main environment. It writes its results as files
that the main kernel reads (:mod:`helpers.strands.la_extracts.validation`):

* ``<processed>/<scope>/la_extracts/validation/results.csv``: return, la_code, year, rule, message,
  child (pseudonymised exactly as at ingest; blank for LA-level rules), count (records flagged);
* ``.../status.json``: {"status": "ran", "rulesets": {...}, "not_run": [rules that crashed],
  "rules_run": n}. Rules that raise on the data (231 and 233 do on real files) are listed as not
  run, never as passed.

Rulesets exist only for recent collection years (2022-23 onwards); an older year is checked with
the earliest ruleset available, and the status says which ruleset was used.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import pkgutil
import re
from pathlib import Path

import pandas as pd

from . import config
from .pseudonymise import load_key, pseudonym

CHILD_PREFIX = "CH"  # the same prefix as helpers.strands.la_extracts.inputs.CHILD_PREFIX
OUT_SUBDIR = Path("la_extracts") / "validation"
COLUMNS = ["return", "la_code", "year", "rule", "message", "child", "count"]


def _ruleset(package: str, prefix: str, year: int) -> str:
    """The ruleset for a collection year ending 31 March ``year`` (e.g. lac2024_25 for 2025), or the
    earliest available for older years."""
    mod = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(mod.__path__) if re.fullmatch(prefix + r"\d{4}_\d{2}", m.name))
    wanted = f"{prefix}{year - 1}_{year % 100:02d}"
    if wanted in names:
        return wanted
    return names[0] if year < int(names[0][len(prefix) : len(prefix) + 4]) + 1 else names[-1]


def validate_903(folder: Path, year: int, la_code: str, key: bytes) -> tuple[pd.DataFrame, dict]:
    from lac_validator import lac_validator
    from lac_validator.ingress import read_files
    from lac_validator.report import Report

    rs = _ruleset("lac_validator.rules", "lac", year)
    registry = importlib.import_module(f"lac_validator.rules.{rs}").registry
    files = read_files(
        [str(p) for p in sorted(Path(folder).glob("*.csv"))] or [str(p) for p in Path(folder).glob("*.xml")]
    )
    ons = {str(la): code for _, code, la in config.BOROUGHS.values()}.get(str(la_code), "E09000033")
    v = lac_validator.LacValidator(
        metadata={"collectionYear": str(year), "localAuthority": ons}, files=files, registry=registry
    )
    rep = Report(v.ds_results, registry)
    report, errors = rep.report, rep.error_report
    desc = dict(zip(errors["Code"].astype(str), errors["Description"], strict=False)) if len(errors) else {}
    rows = []
    for col in [c for c in report.columns if str(c).startswith("ERR_")]:
        hit = report[report[col] == True]  # noqa: E712 (object column of True/NaN)
        if hit.empty:
            continue
        code = col[4:]
        counts = hit.groupby(hit["CHILD"].fillna("").astype(str)).size()
        for child, n in counts.items():
            rows.append(
                (
                    "SSDA903",
                    str(la_code),
                    year,
                    code,
                    desc.get(code, ""),
                    pseudonym(child, key, CHILD_PREFIX) if child else "",
                    int(n),
                )
            )
    info = {
        "ruleset": rs,
        "not_run": sorted(map(str, v.fails)),
        "rules_run": len(v.dones),
        "rules_skipped_no_table": len(v.skips),
    }
    return pd.DataFrame(rows, columns=COLUMNS), info


def validate_cin(xml: Path, year: int, la_code: str, key: bytes) -> tuple[pd.DataFrame, dict]:
    import xml.etree.ElementTree as ET

    from cin_validator import cin_validator

    rs = _ruleset("cin_validator.rules", "cin", year)
    registry = importlib.import_module(f"cin_validator.rules.{rs}").registry
    data = cin_validator.process_data(cin_validator.convert_data(ET.parse(str(xml)).getroot()))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):  # the validator prints "Error with rule X: ..." and carries on
        v = cin_validator.CinValidator(data, registry)
    not_run = sorted(set(re.findall(r"Error with rule (\S+?):", buf.getvalue())))
    issues = v.full_issue_df
    rows = []
    if len(issues):
        g = issues.groupby(
            [
                issues["rule_code"].astype(str),
                issues["rule_description"].astype(str),
                issues["child_id"].fillna("").astype(str),
            ]
        ).size()
        for (code, msg, child), n in g.items():
            rows.append(
                ("CIN", str(la_code), year, code, msg, pseudonym(child, key, CHILD_PREFIX) if child else "", int(n))
            )
    for _, r in v.multichild_issues.drop_duplicates().iterrows():
        rows.append(("CIN", str(la_code), year, str(r["rule_code"]), str(r["rule_description"]), "", 1))
    info = {"ruleset": rs, "not_run": not_run, "rules_run": len(registry) - len(not_run)}
    return pd.DataFrame(rows, columns=COLUMNS), info


def run_all(raw_dir, processed_dir: Path, years, la_codes=None) -> dict:
    """Validate every LA-year under ``<raw_dir>/la_extracts`` for the given years; write the files."""
    import warnings

    logging.disable(logging.CRITICAL)  # the validators log every rule at INFO
    warnings.filterwarnings("ignore")  # and pandas 1.5 warns about their code
    key = load_key()
    base = Path(raw_dir) / "la_extracts"
    out = Path(processed_dir) / OUT_SUBDIR
    out.mkdir(parents=True, exist_ok=True)
    results, info = [], {}
    for la in sorted(p for p in base.iterdir() if p.is_dir()) if base.exists() else []:
        if la_codes is not None and la.name not in {str(x) for x in la_codes}:
            continue
        for y in years:
            folder = la / str(y)
            if (folder / "ssda903").is_dir():
                df, i = validate_903(folder / "ssda903", int(y), la.name, key)
                results.append(df)
                info[f"SSDA903 {la.name} {y}"] = i
            if (folder / "cin" / "cin_census.xml").exists():
                df, i = validate_cin(folder / "cin" / "cin_census.xml", int(y), la.name, key)
                results.append(df)
                info[f"CIN {la.name} {y}"] = i
    res = pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=COLUMNS)
    res.to_csv(out / "results.csv", index=False)
    not_run = sorted({r for i in info.values() for r in i["not_run"]})
    status = {
        "status": "ran" if info else "not run",
        "returns": info,
        "not_run": not_run,
        "reason": "" if info else f"no extracts for years {list(years)} under {base}",
    }
    (out / "status.json").write_text(json.dumps(status, indent=2), encoding="utf-8")
    return status
