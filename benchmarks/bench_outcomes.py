"""Benchmark: the outcomes strand's placebo-in-space runs over every eligible English LA and every
outcome, synthetic control included (target <= 30 s and <= 2 GB on the 2-core machine). The outcomes
include the flows into care (children starting care, on the preferred series and as first published,
and children taken into care) and every rate per child is also compared without 2010-2011.

Times separately, on the real published statistics (``FOP_PUBLIC_DATA``):

* reading and validating the public files (``helpers.public_data``, cached after the first read; the long
  file, with every vintage, is read for the counts as first published);
* the whole comparison (``analysis.run``): for each outcome, the DiD, event study, pre-trend and a
  synthetic control fitted for every eligible LA as if it were treated, then the treated units'
  DiD (pyfixest cross-check), ITS and synthetic control, claims and costs;

and reports where the time goes (synthetic-control fits, ITS fits, pyfixest, the rest), the processor
time of the comparison beside its wall time (on a shared machine the wall time includes waiting for a
core) and the peak memory (maximum resident set size of the process).

Run: ``.venv/bin/python benchmarks/bench_outcomes.py [--no-pyfixest]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from helpers import public_data as pdm
from helpers.strands.outcomes import analysis, estimators, panel

TARGET_SECONDS = 30.0
TARGET_GB = 2.0


def _timed(module, name, bucket):
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            bucket[name] = bucket.get(name, 0.0) + time.perf_counter() - t
            bucket[name + "_calls"] = bucket.get(name + "_calls", 0) + 1

    setattr(module, name, wrapper)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-pyfixest", action="store_true", help="skip the pyfixest cross-check of the treated units")
    args = parser.parse_args(argv)
    if not pdm.available():
        print(pdm.missing_message())
        return 0
    t0 = time.perf_counter()
    for key in ("preferred", "long", "la_lookup", "la_changes", "sn_2021"):
        pdm.read_result(key)
    t_read = time.perf_counter() - t0
    import pyfixest  # noqa: F401  (import once, outside the timed comparison)
    import statsmodels.api  # noqa: F401

    bucket: dict = {}
    for name in ("synth_fit", "its", "pyfixest_did", "did"):
        _timed(estimators, name, bucket)
    _timed(panel, "load_components", bucket)
    t1, c1 = time.perf_counter(), time.process_time()
    r = analysis.run(use_pyfixest=not args.no_pyfixest)
    t_run, cpu_run = time.perf_counter() - t1, time.process_time() - c1
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB -> GiB on Linux
    n_outcomes = r.estimates.outcome.nunique()
    singles = r.estimates[r.estimates.area_code != analysis.TREATED_ID]
    n_placebo = int(singles.n_placebo.max())
    print(f"public files read and validated: {t_read:.1f} s")
    print(
        f"comparison over {len(r.eligibility.eligible)} eligible LAs, {n_outcomes} outcomes compared, "
        f"up to {n_placebo} placebo LAs and {r.params['group_draws']} placebo groups per outcome, {len(r.units)} treated units: {t_run:.1f} s "
        f"(target <= {TARGET_SECONDS:.0f} s; processor time {cpu_run:.1f} s)"
    )
    print(f"  synthetic-control fits: {bucket.get('synth_fit', 0):.1f} s ({bucket.get('synth_fit_calls', 0)} fits)")
    print(f"  ITS fits (statsmodels): {bucket.get('its', 0):.1f} s ({bucket.get('its_calls', 0)} fits)")
    print(f"  DiD closed form: {bucket.get('did', 0):.2f} s ({bucket.get('did_calls', 0)} estimates)")
    print(f"  pyfixest cross-check: {bucket.get('pyfixest_did', 0):.1f} s ({bucket.get('pyfixest_did_calls', 0)} fits)")
    print(f"  loading the panel: {bucket.get('load_components', 0):.1f} s")
    rest = t_run - sum(bucket.get(k, 0) for k in ("synth_fit", "its", "did", "pyfixest_did", "load_components"))
    print(f"  everything else (panel table, claims, costs, bookkeeping): {rest:.1f} s")
    print(f"peak memory: {peak_rss:.2f} GB resident (whole process, imports included; target <= {TARGET_GB:.0f} GB)")
    ok = t_run <= TARGET_SECONDS and peak_rss <= TARGET_GB
    print("within target" if ok else "OVER TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
