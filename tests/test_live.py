"""The live path without Qt: frame sources, newest-wins capture, inspection of the newest frame, reconnection."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np
import pytest

from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.core.mailbox import NewestWins
from radar_desktop.core.records import InspectionResult
from radar_desktop.core.verdict import Verdict
from radar_desktop.engine.jobs.live import LiveResult, LiveSession, Roi, inspect_newest
from radar_desktop.sources.capture import CaptureLoop, Frame
from radar_desktop.sources.frames import CameraSettings, ImageFilesSource, SourceError, VideoSource, open_source

from tests.synthetic import make_defect_video, write_video

FAST_RETRY = (0.05, 0.1)


@dataclass
class SlowInspector:
    """Stands in for a model that needs ``seconds`` per frame."""

    seconds: float
    shapes: list = field(default_factory=list)

    class model:  # noqa: N801 (mimics Inspector.model.config.channels)
        class config:  # noqa: N801
            channels = 1

    def inspect(self, images, sources):
        self.shapes += [i.shape for i in images]
        time.sleep(self.seconds)
        return [InspectionResult(s, "fake", np.zeros(i.shape[:2], np.float32), float(i.mean()), Verdict.OK) for i, s in zip(images, sources)]


def test_newest_wins_keeps_one_item_and_counts_what_it_replaced():
    box = NewestWins()
    for item in range(5):
        box.put(item)
    assert box.take(0) == 4 and box.dropped == 4 and box.take(0.01) is None
    box.put(7)
    box.close()
    assert box.take(0) == 7 and box.take(5) is None  # closed: returns at once


def test_roi_window_is_clipped_to_the_frame_and_ignores_a_degenerate_region():
    image = np.arange(100 * 80).reshape(80, 100)
    assert image[Roi(10, 20, 30, 40).window(image.shape)].shape == (40, 30)
    assert image[Roi(90, 70, 50, 50).window(image.shape)].shape == (10, 10)  # clipped at the edges
    assert Roi(200, 200, 10, 10).window(image.shape) is None  # nothing left: the whole frame is inspected


def test_with_a_region_of_interest_only_the_region_is_inspected_and_the_map_covers_the_frame():
    mailbox = NewestWins()
    frame = np.zeros((60, 80, 3), np.uint8)
    frame[10:30, 20:60] = 200
    mailbox.put(Frame(frame, 1, time.monotonic(), "test"))
    mailbox.close()
    results = []
    inspector = SlowInspector(0.0)
    inspect_newest(mailbox, inspector, results.append, roi=lambda: Roi(20, 10, 40, 20))
    (live,) = results
    assert inspector.shapes == [(20, 40, 1)]
    assert live.image.shape == (60, 80, 1) and live.result.anomaly_map.shape == (60, 80)
    assert live.result.score == pytest.approx(200 / 255, abs=1e-3)  # the region alone is bright


def test_open_source_understands_indices_folders_files_and_refuses_nonsense(tmp_path, defect_video):
    assert isinstance(open_source("0"), VideoSource) and open_source("0").live
    video = open_source(str(defect_video))
    assert isinstance(video, VideoSource) and video.is_file and video.live  # paced like a camera
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((8, 8), np.uint8))
    (tmp_path / "b.png").write_bytes(b"not a png")
    files = open_source(str(tmp_path))
    assert isinstance(files, ImageFilesSource)
    with files:
        assert files.read().shape == (8, 8, 3) and files.read() is None
    assert files.skipped[0][0].name == "b.png"
    with pytest.raises(SourceError, match="no such camera index, file or stream"):
        open_source(str(tmp_path / "missing.avi"))


def test_live_verdicts_change_when_the_defect_appears(tiny_profile, tmp_path, torch_threads):
    from radar_desktop.engine.jobs.inspection import Inspector

    model = tiny_profile.load_model(torch_threads.device("cpu"))
    inspector = Inspector(model, tiny_profile.load_scorer(), tiny_profile.thresholds())
    # 3 frames a second: a machine busy enough to take a second per frame still sees several of each half
    # (at 20 fps, a CI machine running two other jobs inspected one frame before the defect and one after)
    video = make_defect_video(tmp_path / "slow.avi", fps=3.0)
    session = LiveSession(VideoSource(str(video)))
    cancel = CancelToken()
    seen = []

    def record(live: LiveResult) -> None:
        seen.append(live)
        if live.frame_index >= 38:  # near the end of the video (it would replay)
            cancel.cancel()

    session.results.put = record
    session.start()
    try:
        with pytest.raises(Cancelled):
            session.inspect(inspector, cancel)
    finally:
        assert session.stop()
    before = [s.result.verdict for s in seen if s.frame_index <= 20]
    after = [s.result.verdict for s in seen if s.frame_index >= 22]
    assert len(before) >= 3 and len(after) >= 3, (len(before), len(after))
    assert sum(v == Verdict.NOK for v in before) <= len(before) // 5
    assert sum(v == Verdict.NOK for v in after) >= 4 * len(after) // 5
    assert [i for i, _ in session.scores()] == [s.frame_index for s in seen]


def test_frames_are_dropped_not_queued_when_inference_is_slower_than_capture(defect_video):
    mailbox = NewestWins()
    capture = CaptureLoop(VideoSource(str(defect_video)), mailbox, backoff=FAST_RETRY)  # 20 fps
    results = []
    capture.start()
    try:
        inspect_newest(mailbox, SlowInspector(0.2), results.append, max_frames=6)  # 5 frames a second
    finally:
        assert capture.stop()
    indices = [r.frame_index for r in results]
    assert indices == sorted(indices) and len(set(indices)) == 6
    assert max(np.diff(indices)) >= 2  # frames in between were skipped, not waited for
    assert results[-1].dropped >= 10 and mailbox.dropped >= results[-1].dropped
    assert capture.frames >= 6 + results[-1].dropped


def test_settings_a_video_cannot_take_are_reported(tmp_path):
    video = write_video(tmp_path / "v.avi", [np.zeros((32, 32), np.uint8)] * 3)
    source = VideoSource(str(video), CameraSettings(width=640, height=480, exposure=-5.0, focus=10.0))
    with source:
        assert source.read().shape == (32, 32, 3)
        assert set(source.refused_settings()) <= {"resolution", "exposure", "focus"}
        assert "resolution" in source.refused_settings()  # a file keeps its own size


def test_a_video_that_ends_is_reported_and_reopened(tmp_path):
    short = write_video(tmp_path / "short.avi", [np.full((32, 32), 100, np.uint8)] * 5, fps=100)
    statuses = []
    capture = CaptureLoop(VideoSource(str(short)), NewestWins(), statuses.append, backoff=FAST_RETRY)
    capture.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and capture.reconnects < 2:
        time.sleep(0.02)
    assert capture.stop()
    assert capture.reconnects >= 2 and capture.frames >= 10  # played again after each reconnection
    lost = [s for s in statuses if s.state == "disconnected"]
    assert lost and "no more frames" in lost[0].message and lost[0].retry_in_s == FAST_RETRY[0]
    assert statuses[-1].state == "stopped"


def test_a_camera_that_fails_to_open_is_reported_and_retried_with_back_off():
    statuses = []
    capture = CaptureLoop(VideoSource(97), NewestWins(), statuses.append, backoff=FAST_RETRY)
    capture.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and capture.reconnects < 3:
        time.sleep(0.02)
    assert capture.stop()  # joined: stopping does not wait out the back-off
    waits = [s.retry_in_s for s in statuses if s.state == "disconnected"]
    assert waits[:3] == [0.05, 0.1, 0.1]
    assert all("no camera answers at index 97" in s.message for s in statuses if s.state == "disconnected")


class _FlakyCamera(ImageFilesSource):
    """Frames from files, but the driver raises on every fourth read (as a failing USB camera can)."""

    def __init__(self, folder) -> None:
        super().__init__(sorted(folder.iterdir()), "usb camera 0")
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.reads % 4 == 0:
            raise cv2.error("VIDIOC_DQBUF: No such device")
        return super().read()


def test_a_camera_whose_driver_raises_is_reconnected_not_lost(tmp_path):
    for index in range(3):
        cv2.imwrite(str(tmp_path / f"{index}.png"), np.full((16, 16, 3), 60 * index, np.uint8))
    statuses = []
    capture = CaptureLoop(_FlakyCamera(tmp_path), NewestWins(), statuses.append, backoff=FAST_RETRY)
    capture.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and capture.reconnects < 2:
        time.sleep(0.02)
    assert capture.stop()
    assert capture.reconnects >= 2 and capture.frames >= 6  # three frames before each fault, then again
    lost = [s for s in statuses if s.state == "disconnected"]
    assert lost and "reading failed" in lost[0].message and "No such device" in lost[0].message
    assert statuses[-1].state == "stopped"
