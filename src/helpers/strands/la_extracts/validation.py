"""The DfE's validation rules (Data to Insight's ``csc-validator-be-903`` and
``csc-validator-be-cin``) on the LA extracts: run in the validators' own environment, read back in
the main one.

**Run** (:func:`run_all`, ONLY in ``.venv-validators``, kernel ``focus-on-practice-validators``,
from ``notebooks/44_dfe_validation.ipynb``): the validators pin pandas < 2 and numpy < 1.25, so
this module imports at its top only the configuration, the pseudonymisation key and the plain-Python
:mod:`.folders` (which returns a report reads and what it does with each: the same as the
section's), and the validators inside the functions that call them. It writes its results as files:

* ``<processed>/<scope>/la_extracts/validation/results.csv``: return, la_code, year, rule, message,
  child (pseudonymised exactly as at ingest; blank for LA-level rules), count (records flagged);
* ``.../status.json``: {"status": "ran" | "not run", "returns": {return: {"ruleset", "not_run",
  "rules_run", ...}}, "not_run": [rules that crashed], "reason"}. Rules that raise on the data (231
  and 233 do on real files) are listed as not run, never as passed.

Rulesets exist only for recent collection years (2022-23 onwards); an older year is checked with
the earliest ruleset available, and the status says which ruleset was used.

**Read back** (:func:`load_results`, main kernel): when neither file exists the validators did not
run, and the section says so: never as a pass.
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

from ... import config
from ...pseudonymise import load_key, pseudonym
from . import folders

CHILD_PREFIX = "CH"  # the same prefix as .schemas.CHILD_PREFIX (not imported: the readers need pandas 2)
VALIDATION_DIR = f"{folders.STRAND}/validation"
OUT_SUBDIR = Path(VALIDATION_DIR)
COLUMNS = ["return", "la_code", "year", "rule", "message", "child", "count"]
RESULT_COLUMNS = COLUMNS


def _ruleset(package: str, prefix: str, year: int) -> str:
    """The ruleset for a collection year ending 31 March ``year`` (e.g. lac2024_25 for 2025), or the
    earliest available for older years."""
    mod = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(mod.__path__) if re.fullmatch(prefix + r"\d{4}_\d{2}", m.name))
    wanted = f"{prefix}{year - 1}_{year % 100:02d}"
    if wanted in names:
        return wanted
    return names[0] if year < int(names[0][len(prefix) : len(prefix) + 4]) + 1 else names[-1]


def validate_903(path: Path, year: int, la_code: str, key: bytes) -> tuple[pd.DataFrame, dict]:
    """One SSDA903 return: a folder of CSV tables, or the XML return."""
    from lac_validator import lac_validator
    from lac_validator.ingress import read_files
    from lac_validator.report import Report

    rs = _ruleset("lac_validator.rules", "lac", year)
    registry = importlib.import_module(f"lac_validator.rules.{rs}").registry
    path = Path(path)
    paths = [path] if path.is_file() else sorted(path.glob("*.csv")) or sorted(path.glob("*.xml"))
    files = read_files([str(p) for p in paths])
    ons = gss_code(la_code)
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


def gss_code(la_code: str) -> str:
    """The ONS/GSS code the SSDA903 validator wants for an LA (it places postcodes inside or outside
    the LA): from ``la_lookup.csv`` in the public statistics folder (read through
    :mod:`helpers.public_data`, which also runs under the validators' pandas 1), else the boroughs' own
    table, else Westminster's (the validator needs one; only its postcode rules depend on it)."""
    from ... import public_data

    boroughs = {str(la): code for _, code, la in config.BOROUGHS.values()}
    if str(la_code).isdigit() and public_data.available(files=("la_lookup",)):
        lk = public_data.la_lookup()
        hit = lk.loc[(lk["old_la_code"] == int(la_code)) & lk["la_code"].notna(), "la_code"]
        if len(hit):
            return str(hit.iloc[0])
    return boroughs.get(str(la_code), "E09000033")


def _chosen(decisions, years) -> list:
    """The returns to validate: those used whose year is in ``years``, or (None) each LA's latest
    return of each kind (validating every year would take minutes per return)."""
    used = [d for d in decisions if d.used and d.ret.year is not None]
    if years is not None:
        return [d for d in used if int(d.ret.year) in {int(y) for y in years}]
    latest: dict = {}
    for d in used:
        k = (d.ret.kind, d.la)
        latest[k] = max(latest.get(k, d.ret.year), d.ret.year)
    return [d for d in used if d.ret.year == latest[(d.ret.kind, d.la)]]


def run_all(
    raw_dir, processed_dir: Path, years=None, la_codes=None, *, extract_dir=None, la=None, trust_folder_la=False
) -> dict:
    """Validate the returns this report uses (the raw layout ``<raw_dir>/la_extracts/<LA>/<year>/``
    or, with ``extract_dir``, folders read in place labelled ``la``; the same returns and the same
    decisions as the LA-extracts section: :mod:`helpers.strands.la_extracts.folders`) for ``years``
    (None: each LA's latest return of each kind); ``la_codes``: the report's scope (None: every LA).
    Writes the files."""
    import warnings

    logging.disable(logging.CRITICAL)  # the validators log every rule at INFO
    warnings.filterwarnings("ignore")  # and pandas 1.5 warns about their code
    key = load_key()
    out = Path(processed_dir) / OUT_SUBDIR
    out.mkdir(parents=True, exist_ok=True)
    found = folders.find_returns(Path(raw_dir), extract_dir, la, config.resolve)
    results, info = [], {}
    for d in _chosen(folders.decide_all(found, la_codes, trust_folder_la), years):
        y = int(d.ret.year)
        if d.ret.kind == folders.SSDA903:
            df, i = validate_903(d.ret.path, y, d.la, key)
            name = f"SSDA903 {d.la} {y}"
        else:
            df, i = validate_cin(d.ret.path, y, d.la, key)
            name = f"CIN {d.la} {y}"
        results.append(df)
        info[name if name not in info else f"{name} ({d.ret.path.name})"] = i
    res = pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=COLUMNS)
    res.to_csv(out / "results.csv", index=False)
    not_run = sorted({r for i in info.values() for r in i["not_run"]})
    if years is not None and not list(years):
        reason = "no year was chosen for validation (validate_years is empty)"
    else:
        which = "the latest year" if years is None else f"the years {', '.join(map(str, years))}"
        reason = f"no return of this report's authorities was found for {which}"
    status = {
        "status": "ran" if info else "not run",
        "returns": info,
        "not_run": not_run,
        "reason": "" if info else reason,
    }
    (out / "status.json").write_text(json.dumps(status, indent=2), encoding="utf-8")
    return status


def load_results(processed_dir: Path) -> dict:
    """{"status": "ran", "results": DataFrame, "not_run": [...]} or {"status": "not run", "reason": ...}."""
    d = Path(processed_dir) / VALIDATION_DIR
    status_path = d / "status.json"
    if not status_path.exists():
        return {
            "status": "not run",
            "reason": "the validation step did not run: its kernel, focus-on-practice-validators, "
            "is not installed, or the step was skipped",
        }
    status = json.loads(status_path.read_text(encoding="utf-8"))
    if status.get("status") != "ran":
        return status
    res = (
        pd.read_csv(d / "results.csv", dtype={"la_code": str})
        if (d / "results.csv").exists()
        else pd.DataFrame(columns=RESULT_COLUMNS)
    )
    return {**status, "results": res}
