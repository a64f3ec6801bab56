"""What uses the models and scorers: training, inspection, scan, live, calibration, evaluation, self-test."""
