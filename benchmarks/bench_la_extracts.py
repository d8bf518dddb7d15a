"""Benchmark: the LA-extracts strand at national scale and its readers on one large LA-year.

Targets (the 2-core machine): (1) derivation of every indicator for 150 LAs x 10 years from
synthetic tidy tables of about 1,000,000 episodes and 6,000,000 referrals: <= 120 s and <= 6 GB
peak memory; (2) reading one LA-year: a CIN census XML of 50,000 children and an SSDA903 return
(header + episodes CSV) of 20,000 children: <= 30 s each.

(3) the DfE validator projects' fake return (``../shared/conformance``: SSDA903 CSV tables, 5,050
episodes, and the CIN census ``fake_CIN_data.xml``), as an authority's own build reads it in place:
reading (find the returns, decide, read and check every record) and deriving (indicators for the
years it covers, reconciliation with Leeds's published figures, pathways, placement costs).

(4) with ``--builds N``: the example of one authority's own report (``config/own_extracts_example.yaml``,
Leeds from the fake return) built from scratch (``--force``) beside the default build (the three
boroughs, synthetic data at scale 1), alternately N times on the same raw folder, in a temporary
folder: target, the example's build takes no longer than the default build's.

Each part runs in a fresh Python process so that its peak resident memory (``ru_maxrss``) is its
own. The tidy tables are made with numpy directly (not by the generator, which writes files):
children with 1-6 episodes starting 2008-2019, 5% short breaks, 30% still open; referrals with
pseudonym-like string IDs; plans for 12% of referrals. Input generation is not timed.

Run: ``.venv/bin/python benchmarks/bench_la_extracts.py [--quick] [--builds N]`` (``--quick``: a tenth
of the size; ``--builds 0`` by default: the two builds take several minutes each).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_LA, YEARS = 150, list(range(2010, 2020))
TARGETS = {"derive_seconds": 120, "derive_peak_gb": 6, "reader_seconds": 30}
#: The fake return is about a tenth of an LA-year the reader target is set for: same target.


def _ids(rng, n, prefix="CH"):
    return pd.Series(rng.integers(0, 2**62, n)).map(lambda v: f"{prefix}{v:016x}")


def national_tables(n_episodes: int, n_referrals: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    n_children = n_episodes // 3
    child = _ids(rng, n_children)
    la = rng.integers(800, 800 + N_LA, n_children).astype(str)
    k = rng.integers(1, 6, n_children)
    idx = np.repeat(np.arange(n_children), k)[:n_episodes]
    n = len(idx)
    start = pd.Timestamp("2008-01-01") + pd.to_timedelta(rng.integers(0, 11 * 365, n_children), unit="D")
    step = rng.integers(1, 400, n)
    first = np.r_[True, idx[1:] != idx[:-1]]
    pos = pd.Series(step).groupby(idx).cumsum().to_numpy() - step
    decom = start[idx] + pd.to_timedelta(pos, unit="D")
    dec = decom + pd.to_timedelta(step, unit="D")
    last = np.r_[idx[1:] != idx[:-1], True]
    still = rng.random(n) < 0.3
    dec = pd.Series(dec).where(~(last & still))
    eps = pd.DataFrame(
        {
            "la_code": la[idx],
            "CHILD": child.to_numpy()[idx],
            "DECOM": decom,
            "DEC": dec,
            "RNE": np.where(first | (rng.random(n) < 0.05), "S", "P"),
            "LS": np.where(rng.random(n) < 0.05, "V3", "C2"),
            "PLACE": rng.choice(["U4", "U6", "K2", "P1", "H5", "K1"], n),
            "PLACE_PROVIDER": rng.choice(["PR1", "PR4"], n),
            "REC": np.where(last & ~still, "E11", "X1"),
            "REASON_PLACE_CHANGE": None,
            "year": 2019,
        }
    )
    n_rchild = n_referrals // 2
    rchild = _ids(rng, n_rchild)
    rla = rng.integers(800, 800 + N_LA, n_rchild).astype(str)
    ri = rng.integers(0, n_rchild, n_referrals)
    rdate = pd.Timestamp("2008-04-01") + pd.to_timedelta(rng.integers(0, 11 * 365, n_referrals), unit="D")
    ref = pd.DataFrame({"la_code": rla[ri], "LAchildID": rchild.to_numpy()[ri], "CINreferralDate": rdate, "year": 2019})
    m = rng.random(n_referrals) < 0.12
    cs = rdate[m] + pd.to_timedelta(rng.integers(10, 80, m.sum()), unit="D")
    cpp = pd.DataFrame(
        {
            "la_code": rla[ri[m]],
            "LAchildID": rchild.to_numpy()[ri[m]],
            "CPPstartDate": cs,
            "CPPendDate": cs + pd.to_timedelta(rng.integers(90, 600, m.sum()), unit="D"),
            "NumberOfPreviousCPP": 0,
            "year": 2019,
        }
    )
    return {"episodes": eps, "cin_referrals": ref, "cin_cpp": cpp}


def part_derive(scale: float) -> dict:
    from helpers.strands.la_extracts import indicators

    tables = national_tables(int(1_000_000 * scale), int(6_000_000 * scale))
    t0 = time.perf_counter()
    ind = indicators.derive_indicators(tables, YEARS)
    eps = indicators.longitudinal_episodes(tables["episodes"])
    days = indicators.placement_days(eps, YEARS)
    seconds = time.perf_counter() - t0
    return {
        "episodes": len(tables["episodes"]),
        "referrals": len(tables["cin_referrals"]),
        "plans": len(tables["cin_cpp"]),
        "indicator_values": len(ind),
        "placement_day_rows": len(days),
        "seconds": round(seconds, 1),
    }


def _cin_xml(n_children: int, seed: int = 2) -> str:
    rng = np.random.default_rng(seed)
    parts = [
        "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2019</Year><ReferenceDate>2019-03-31"
        "</ReferenceDate></CollectionDetails><Source><LEA>213</LEA></Source></Header><Children>"
    ]
    for i in range(n_children):
        refs = []
        for j in range(int(rng.integers(1, 4))):
            d = (pd.Timestamp("2017-04-01") + pd.Timedelta(days=int(rng.integers(0, 700)))).date().isoformat()
            refs.append(
                f"<CINdetails><CINreferralDate>{d}</CINreferralDate><ReferralSource>1A</ReferralSource>"
                f"<PrimaryNeedCode>N4</PrimaryNeedCode><ReferralNFA>0</ReferralNFA><Assessments>"
                f"<AssessmentActualStartDate>{d}</AssessmentActualStartDate></Assessments>"
                + (
                    f"<ChildProtectionPlans><CPPstartDate>{d}</CPPstartDate><NumberOfPreviousCPP>0</NumberOfPreviousCPP>"
                    f"</ChildProtectionPlans>"
                    if j == 0 and i % 8 == 0
                    else ""
                )
                + "</CINdetails>"
            )
        parts.append(
            f"<Child><ChildIdentifiers><LAchildID>C{i:07d}</LAchildID><PersonBirthDate>2010-05-01</PersonBirthDate>"
            f"<GenderCurrent>1</GenderCurrent></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
            f"</ChildCharacteristics>{''.join(refs)}</Child>"
        )
    parts.append("</Children></Message>")
    return "".join(parts)


def part_cin(n_children: int) -> dict:
    from helpers.strands.la_extracts import cin

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "cin_census.xml"
        p.write_text(_cin_xml(n_children))
        t0 = time.perf_counter()
        res = cin.read_cin_xml(p, key=b"bench")
        seconds = time.perf_counter() - t0
        return {
            "children": res["cin_children"].rows_read,
            "referrals": res["cin_referrals"].rows_read,
            "mb": round(p.stat().st_size / 1e6, 1),
            "seconds": round(seconds, 1),
        }


def part_903(n_children: int) -> dict:
    from helpers.strands.la_extracts import ssda903

    rng = np.random.default_rng(3)
    ids = [f"C{i:07d}" for i in range(n_children)]
    k = rng.integers(1, 6, n_children)
    idx = np.repeat(np.arange(n_children), k)
    decom = (pd.Timestamp("2018-04-01") + pd.to_timedelta(rng.integers(0, 360, len(idx)), unit="D")).strftime(
        "%d/%m/%Y"
    )
    with tempfile.TemporaryDirectory() as tmp:
        pd.DataFrame(
            {"CHILD": ids, "SEX": "1", "DOB": "01/05/2010", "ETHNIC": "WBRI", "UPN": "", "MOTHER": "", "MC_DOB": ""}
        ).to_csv(Path(tmp) / "header.csv", index=False)
        pd.DataFrame(
            {
                "CHILD": np.array(ids)[idx],
                "DECOM": decom,
                "RNE": "P",
                "LS": "C2",
                "CIN": "N1",
                "PLACE": "U4",
                "PLACE_PROVIDER": "PR1",
                "DEC": "",
                "REC": "",
                "REASON_PLACE_CHANGE": "",
                "HOME_POST": "",
                "PL_POST": "",
                "URN": "",
            }
        ).to_csv(Path(tmp) / "episodes.csv", index=False)
        t0 = time.perf_counter()
        res = ssda903.read_ssda903_csv(Path(tmp), key=b"bench")
        seconds = time.perf_counter() - t0
        return {
            "children": res["header"].rows_read,
            "episodes": res["episodes"].rows_read,
            "seconds": round(seconds, 1),
        }


def conformance_dir() -> Path | None:
    """``FOP_CONFORMANCE``, else ``../shared/conformance`` beside the project, else beside the public
    statistics folder (None when none is there)."""
    here = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
    public = os.environ.get("FOP_PUBLIC_DATA")
    for p in (os.environ.get("FOP_CONFORMANCE"), here, public and Path(public).parent / "conformance"):
        if p and Path(p).is_dir():
            return Path(p)
    return None


def part_conformance(_arg: float) -> dict:
    """Read the fake return in place as Leeds (383) and derive everything the section shows."""
    from helpers.strands.la_extracts import analysis, inputs, published

    conf = conformance_dir()
    paths = [str(conf / "ssda903"), str(conf / "cin" / "fake_CIN_data.xml")]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ex = inputs.read_extracts(Path(tmp), paths, 383, ["383"], trust_folder_la=True, key=b"bench")
        read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pub, _ = published.load_published(None, ["383"])
    pub_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tables = {k: r.data for k, r in ex.used.items()}
    res = analysis.analyse(tables, pub, analysis.Coverage.of(ex.years, 2011), "2014-07-01", 1.0)
    derive_s = time.perf_counter() - t0
    return {
        "episodes": ex.used["episodes"].rows_read,
        "referrals": ex.used["cin_referrals"].rows_read,
        "records": int(sum(r.rows_read for r in ex.used.values())),
        "indicator_values": len(res["indicators"]),
        "read_seconds": round(read_s, 1),
        "published_seconds": round(pub_s, 1),
        "seconds": round(derive_s, 1),
    }


def _build(tmp: Path, tag: str, *extra: str) -> tuple[float, float]:
    """Wall and CPU seconds (the runner and its kernels) of one build from scratch into tmp/<tag>."""
    cmd = [sys.executable, "-m", "helpers.pipeline", "--no-progress", "--force", "--raw-dir", str(tmp / "raw")]
    cmd += ["--processed-dir", str(tmp / tag / "processed"), "--runs-dir", str(tmp / tag / "runs")]
    cmd += ["--report-dir", str(tmp / tag / "reports"), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1])
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def compare_builds(rounds: int) -> bool:
    """The example's build beside the default build, alternately, so that both see the same load."""
    from helpers.synthetic import generate_all

    example = Path(__file__).resolve().parents[1] / "config" / "own_extracts_example.yaml"
    times: dict[str, list[tuple[float, float]]] = {"default": [], "example": []}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        generate_all(tmp / "raw", scale=1.0)
        for _ in range(rounds):
            times["default"].append(_build(tmp, "default"))
            times["example"].append(_build(tmp, "example", "--params", str(example)))
    for name, runs in times.items():
        walls = ", ".join(f"{w:.1f}" for w, _ in runs)
        cpus = ", ".join(f"{c:.1f}" for _, c in runs)
        print(f"{name} build from scratch: wall {walls} s; CPU {cpus} s")
    default, own = (sorted(w for w, _ in times[k])[len(times[k]) // 2] for k in ("default", "example"))
    met = own <= default
    print(
        f"example / default build (median wall): {own:.1f} / {default:.1f} s = {own / default:.2f}x  "
        f"{'OK' if met else 'OVER TARGET'} (target <= 1.00x); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    return met


def _child(part: str, arg: float) -> dict:
    out = subprocess.run([sys.executable, __file__, "--part", part, "--arg", str(arg)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the size (a smoke run)")
    ap.add_argument("--builds", type=int, default=0, help="rounds of the example vs default build (slow)")
    ap.add_argument("--part", help=argparse.SUPPRESS)
    ap.add_argument("--arg", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.part:
        parts = {"derive": part_derive, "cin": lambda a: part_cin(int(a)), "903": lambda a: part_903(int(a))}
        res = {**parts, "conformance": part_conformance}[args.part](args.arg)
        res["peak_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
        print(json.dumps(res))
        return 0
    f = 0.1 if args.quick else 1.0
    rows = {
        "derive (150 LAs x 10 years)": _child("derive", f),
        "CIN XML reader": _child("cin", 50_000 * f),
        "SSDA903 CSV reader": _child("903", 20_000 * f),
    }
    if conformance_dir() is not None:
        rows["conformance return"] = _child("conformance", 0)
    else:
        print("conformance return not found (FOP_CONFORMANCE or ../shared/conformance): its part is left out")
    ok = True
    for name, r in rows.items():
        limit = TARGETS["derive_seconds"] if name.startswith("derive") else TARGETS["reader_seconds"]
        met = max(r["seconds"], r.get("read_seconds", 0)) <= limit
        met &= not name.startswith("derive") or r["peak_gb"] <= TARGETS["derive_peak_gb"]
        ok &= met
        print(f"{name:30s} {r['seconds']:7.1f} s  peak {r['peak_gb']:5.2f} GB  {'OK' if met else 'OVER TARGET'}  {r}")
    # the targets are wall-clock seconds: on a shared, loaded machine a part can be over without any change
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.builds:
        ok &= compare_builds(args.builds)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("FOP_PSEUDONYMISATION_KEY", "benchmark-key")
    raise SystemExit(main())
