"""The score a technician reads: 0 for a typical good part, 1 at the NOK line; old profiles as they were."""

from __future__ import annotations

import numpy as np
import pytest

from radar_desktop.core.calibration import calibrate_thresholds
from radar_desktop.core.quantities import score_text
from radar_desktop.core.score_scale import ScoreScale


def test_a_typical_good_part_reads_zero_and_the_nok_line_one():
    good = np.random.default_rng(0).normal(-0.3, 1.1, 150)
    raw = calibrate_thresholds(good, tail="normal")
    scale = ScoreScale.from_calibration(good, raw.nok)
    read = scale.apply(good)
    assert np.median(read) == pytest.approx(0.0, abs=1e-12)
    assert scale.apply(raw.nok) == pytest.approx(1.0)
    # thresholds set again on the read scores land where the raw ones map: the cut keeps its meaning
    again = calibrate_thresholds(read, tail="normal")
    assert again.nok == pytest.approx(1.0) and again.review == pytest.approx(scale.apply(raw.review))
    assert 0.0 < again.review < 1.0


def test_the_identity_keeps_scores_of_profiles_made_before():
    assert ScoreScale().apply(2.5) == 2.5
    assert ScoreScale.from_array(ScoreScale(0.2, 3.0).to_array()) == ScoreScale(0.2, 3.0)


@pytest.mark.parametrize(("value", "text"), [(1.0, "1"), (0.7234, "0.7234"), (-0.00003, "0.000"), (12.3456, "12.35"), (1234.6, "1,235")])
def test_scores_print_without_exponents(value, text):
    assert score_text(value) == text
