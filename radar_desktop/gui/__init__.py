"""Qt widgets (PySide6 + pyqtgraph). Only this package and ``workers`` import Qt."""
