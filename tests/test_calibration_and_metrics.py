import numpy as np
import pytest

from radar_desktop.core.calibration import calibrate_thresholds, threshold_for_false_reject_rate
from radar_desktop.core.metrics import aupro, auroc, best_f1_threshold, threshold_metrics
from radar_desktop.core.one_class import PaperClassifier, paper_features
from radar_desktop.core.verdict import Thresholds, Verdict


def test_threshold_rejects_at_most_the_target_rate():
    scores = np.arange(1, 201, dtype=float)  # 200 good scores
    threshold = threshold_for_false_reject_rate(scores, 0.01)
    assert np.mean(scores > threshold) <= 0.01
    assert threshold == 198.0
    assert threshold_for_false_reject_rate(np.array([0.3, 0.1]), 0.01) == 0.3  # few scores: the largest


def test_calibrated_thresholds_give_verdicts():
    thresholds = calibrate_thresholds(np.linspace(0, 1, 101))
    assert thresholds.review <= thresholds.nok
    assert thresholds.verdict(0.0) is Verdict.OK
    assert thresholds.verdict((thresholds.review + thresholds.nok) / 2 + 1e-9) in (Verdict.REVIEW, Verdict.NOK)
    assert thresholds.verdict(2.0) is Verdict.NOK
    with pytest.raises(ValueError):
        Thresholds(review=2.0, nok=1.0)
    with pytest.raises(ValueError):
        calibrate_thresholds(np.array([]))


def test_threshold_metrics_count_anomalies_as_positive():
    labels = np.array([0, 0, 1, 1, 1])
    scores = np.array([0.1, 0.6, 0.7, 0.2, 0.9])
    m = threshold_metrics(labels, scores, 0.5)
    assert (m.accuracy, m.precision, m.recall) == pytest.approx((0.6, 2 / 3, 2 / 3))
    assert m.f1 == pytest.approx(2 / 3)
    assert best_f1_threshold(labels, scores).f1 >= m.f1
    assert auroc(labels, scores) == pytest.approx(5 / 6)  # 5 of 6 (anomaly, good) pairs ordered
    assert np.isnan(auroc(np.zeros(3), np.arange(3)))


def test_aupro_is_one_for_a_perfect_map_and_low_for_an_inverted_one():
    mask = np.zeros((20, 20), bool)
    mask[5:9, 5:9] = True
    mask[14:17, 2:6] = True
    assert aupro([mask], [mask.astype(float)]) == pytest.approx(1.0)
    assert aupro([mask], [(~mask).astype(float)]) < 0.05


def test_paper_classifier_is_refitted_identically_and_flags_outliers():
    rng = np.random.default_rng(0)
    good = rng.normal([10.0, 2.0], [0.5, 0.1], size=(60, 2))
    a, b = PaperClassifier(good), PaperClassifier(good.copy())
    probe = np.array([[10.0, 2.0], [30.0, 9.0]])
    np.testing.assert_array_equal(a.score(probe), b.score(probe))
    assert a.score(probe)[0] < 0 < a.score(probe)[1]
    assert np.mean(a.score(good) > 0) == pytest.approx(0.05, abs=0.03)
    heat = np.zeros((40, 40))
    heat[0:20, 0:20] = 1.0
    assert paper_features(heat) == pytest.approx([20.0, 20.0])


def test_false_reject_rate_and_its_upper_bound():
    from radar_desktop.core.calibration import false_reject_rate, false_reject_upper_bound

    good = np.arange(20, dtype=float)
    assert false_reject_rate(good, 17.5) == 0.1
    assert false_reject_upper_bound(0, 20) == pytest.approx(1 - 0.05 ** (1 / 20))  # 0 of 20: below 13.9 %
    assert false_reject_upper_bound(2, 20) > 0.1 > false_reject_upper_bound(2, 2000)
    assert false_reject_upper_bound(3, 3) == 1.0 and false_reject_upper_bound(0, 0) == 1.0


def test_normal_tail_thresholds_match_the_fitted_quantiles_and_move_less_than_empirical_cuts():
    from radar_desktop.core.calibration import normal_tail_threshold

    rng = np.random.default_rng(0)
    big = rng.normal(2.0, 0.5, 20000)
    assert normal_tail_threshold(big, 0.01) == pytest.approx(2.0 + 2.326 * 0.5, abs=0.02)  # many scores: the quantile
    small = rng.normal(0, 1, 150)
    assert normal_tail_threshold(small, 0.01) > small.mean() + 2.326 * small.std(ddof=1)  # few: a margin above it
    thresholds = calibrate_thresholds(rng.normal(0, 1, 150), tail="normal")
    assert thresholds.review < thresholds.nok  # a review band, always
    resampled = [rng.normal(0, 1, 150) for _ in range(200)]
    spread = {tail: np.std([calibrate_thresholds(s, tail=tail).nok for s in resampled]) for tail in ("empirical", "normal")}
    assert spread["normal"] < 0.6 * spread["empirical"], spread


def test_covering_thresholds_never_leave_more_held_back_scores_above_than_the_rate():
    from radar_desktop.core.calibration import covering_threshold, normal_tail_threshold

    rng = np.random.default_rng(0)
    normal = rng.normal(0, 1, 400)
    assert covering_threshold(normal, 0.01) == pytest.approx(normal_tail_threshold(normal, 0.01))  # the bound sits higher
    heavy = rng.lognormal(0, 1, 400)  # a right-skewed tail, as ELPV's good scores have
    cut = covering_threshold(heavy, 0.01)
    assert cut > normal_tail_threshold(heavy, 0.01) and np.mean(heavy > cut) <= 0.01
    thresholds = calibrate_thresholds(heavy, tail="covering")
    assert np.mean(heavy > thresholds.review) <= 0.05 and thresholds.review <= thresholds.nok


def test_pixel_auroc_by_defect_kind_is_not_set_by_the_largest_kind():
    from radar_desktop.engine.jobs.evaluation import pixel_auroc_by_defect

    rng = np.random.default_rng(0)
    maps = [rng.random((32, 32)) for _ in range(3)]
    masks = [np.zeros((32, 32), bool) for _ in range(3)]
    masks[0][10:12, 4:28] = True  # a thin crack the map marks clearly
    maps[0][masks[0]] += 2.0
    masks[1][4:28, 4:28] = True  # a large stain the map does not see
    by_kind = pixel_auroc_by_defect(masks, maps, ["crack", "stain", "good"])
    assert set(by_kind) == {"crack", "stain"}  # a kind with no marked pixels has no pixel AUROC
    assert by_kind["crack"] == 1.0
    assert 0.4 < by_kind["stain"] < 0.6
    pooled = auroc(np.concatenate([m.ravel() for m in masks]), np.concatenate([m.ravel() for m in maps]))
    assert pooled < 0.6  # pooled over pixels, the stain's area hides the crack
    assert pixel_auroc_by_defect([], [], []) == {}
