"""What a false-reject promise rests on: the held-back images, the rate seen, and its confidence bound."""

import numpy as np
import pytest

from radar_desktop.core.promise import images_needed, promise, threshold_promises


def test_showing_a_rate_with_no_rejects_takes_the_classic_counts():
    assert images_needed(0.01) == 299
    assert images_needed(0.05) == 59


def test_four_held_back_images_cannot_show_one_percent_and_the_text_says_how_many_are_needed():
    nok = promise("NOK", 0.01, np.array([0.1, 0.2, 0.3, 0.4]), threshold=1.0, images=4)
    assert nok.seen == 0.0 and not nok.shown
    assert nok.bound == pytest.approx(1 - 0.05 ** (1 / 4))  # 0 of 4: up to 53 %
    assert nok.needed == 299
    text = nok.text()
    assert "4 images cannot show 1.0 %" in text and "299 or more are needed" in text and "capture 295 more" in text


def test_some_rejects_below_the_target_need_more_images_and_at_the_target_none_can_show_it():
    assert images_needed(0.05, seen=0.0) == 59
    needed = images_needed(0.05, seen=0.02)
    assert 59 < needed < 1000
    from radar_desktop.core.calibration import false_reject_upper_bound

    assert false_reject_upper_bound(round(0.02 * needed), needed) <= 0.05
    assert images_needed(0.05, seen=0.05) is None
    review = promise("REVIEW", 0.05, np.array([0.0] * 43 + [2.0] * 2), threshold=1.0, images=45)
    assert f"45 images cannot show 5.0 % at the 4.4 % seen: {images_needed(0.05, seen=2 / 45)} or more" in review.text()


def test_many_clean_images_show_the_promise_and_a_rate_above_target_is_called_out():
    scores = np.linspace(-1, 0.5, 400)
    nok, review = threshold_promises(scores, review=0.4, nok=1.0, images=400)
    assert nok.shown and nok.text().endswith("shown.")
    assert review.seen == pytest.approx(np.mean(scores > 0.4))
    above = promise("NOK", 0.01, scores, threshold=0.0, images=400)
    assert above.seen > 0.3 and "not kept on the held-back images" in above.text()


def test_re_renderings_of_one_image_count_once_in_the_bound():
    # 10 images, each scored 3 times (itself and two camera re-renderings); one image's three are above
    scores = np.array([0.0] * 27 + [2.0] * 3)
    seen = promise("NOK", 0.01, scores, threshold=1.0, images=10)
    assert seen.seen == pytest.approx(0.1)
    assert seen.bound == pytest.approx(promise("NOK", 0.01, np.array([0.0] * 9 + [2.0]), 1.0, 10).bound)


def test_the_watch_breaks_the_promise_only_when_reviewed_good_parts_are_flagged_well_above_it():
    from radar_desktop.core.promise import watch_promise

    kept = watch_promise(["OK"] * 195 + ["REVIEW"] * 5, [""] * 195 + ["OK"] * 5)  # 2.5 % of good flagged
    assert not kept.broken and "kept: 5 of 200 good parts flagged" in kept.message()
    verdicts = ["OK"] * 300 + ["OK", "OK", "OK", "REVIEW", "NOK"] * 40
    decisions = [""] * 300 + ["", "", "", "OK", "OK"] * 40  # the last 200: 40 % of good parts flagged
    broken = watch_promise(verdicts, decisions)
    assert broken.broken_now and broken.broken[0] > 300
    assert broken.good == 200 and broken.flagged_good == 80 and broken.rejected_good == 40
    assert "promise broken" in broken.message() and "Recalibrate" in broken.message()


def test_confirmed_defects_and_unreviewed_flags_do_not_count_as_good_parts():
    from radar_desktop.core.promise import watch_promise

    watch = watch_promise(["OK", "NOK", "REVIEW", "OK"], ["", "NOK", "", "NOK"])
    assert (watch.good, watch.flagged_good, watch.unreviewed) == (1, 0, 1)
    assert "1 flagged part not reviewed yet" in watch.message()
