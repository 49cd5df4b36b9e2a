"""Municipality comparison (Kuntavertailu): outcomes and status changes, municipality by municipality."""

from dashboard import ui
from dashboard.builders import municipalities

view = ui.view()
tr = view.tr
ui.header(view, tr.t("municipalities.title"))
# seven columns (counts, share, interval, note) do not fit half the page at 1400 px: the table goes below
ui.built(ui.cached(municipalities.outcomes, view), tr, key="outcomes", expanded=True)
ui.built(ui.cached(municipalities.status_change, view), tr, key="status", beside=True, ratio=(1, 1))
