"""Report content built without Qt: scan tables (CSV) and heatmap images."""
