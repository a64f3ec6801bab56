"""Scorers: ways to turn what the single forward pass predicts into an anomaly map and an image score.

All but ``recon`` read the same single forward pass (:class:`~radar_desktop.engine.models.forward.ForwardOutput`).
Each scorer learns what it needs from good training images (``observe_good``), then sets its thresholds
from held-back good images (``observe_calibration``); what every scorer shares is in :mod:`.base`, the
names and each space's defaults in :mod:`.registry`, one module per family beside them.
"""
