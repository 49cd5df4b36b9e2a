"""Municipality comparison (Kuntavertailu): outcomes and status changes, municipality by municipality."""

from dashboard import ui
from dashboard.builders import municipalities

view = ui.view()
tr = view.tr
ui.header(view, tr.t("municipalities.title"))
ui.built(municipalities.outcomes(view), tr, key="outcomes", beside=True, ratio=(1, 1))
ui.built(municipalities.status_change(view), tr, key="status", beside=True, ratio=(1, 1))
