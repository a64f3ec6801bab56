"""Pure-Python compute core: records, maps, calibration and metrics. No Qt, no torch."""
