"""The shared roster: one definition of "trained by a date"."""

import pandas as pd

from helpers.roster import trained_by


def test_trained_by_on_or_before_the_date():
    staff = pd.DataFrame(
        {
            "practitioner_id": ["P1", "P2", "P3"],
            "training_completed": pd.to_datetime(["2015-03-31", None, "2015-06-30"]),
        }
    )
    ids = pd.Series(["P1", "P1", "P2", "P3", "P9"])
    dates = pd.to_datetime(pd.Series(["2015-03-31", "2015-03-30", "2016-01-01", "2015-07-01", "2016-01-01"]))
    # P1 trained on the day itself (yes) and the day before (no); P2 never; P3 before; P9 unknown -> False.
    assert trained_by(staff, ids, dates).tolist() == [True, False, False, True, False]
    assert trained_by(staff, ids.iloc[:0], dates.iloc[:0]).tolist() == []  # an empty borough
