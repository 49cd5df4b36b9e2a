"""Figure builders: filters in, (table, chart, caption) out, ready for a page, a presenter or an export.

Each builder reads named queries (``dashboard.db``), computes with ``dashboard.figures``, suppresses
small counts with ``dashboard.privacy`` and draws with ``dashboard.charts``. None calls ``st.*``, so the
same function serves the Streamlit page, a presenter mode and the exports.
"""

from dashboard.builders.common import Built, Column, Metric, View

__all__ = ["Built", "Column", "Metric", "View"]
