"""Per-product profiles: a model, its calibrated scorers and thresholds, stored per user."""
