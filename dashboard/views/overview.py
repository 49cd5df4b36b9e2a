"""Overview (Yleiskatsaus): the headline at the quarter, one sentence, and the client trend."""

import streamlit as st

from dashboard import ui
from dashboard.builders import about, overview, targets

view = ui.view()
tr = view.tr
ui.header(view, tr.t("overview.title"))
if overview.has_clients(view):
    ui.lead(overview.summary(view))
    ui.metrics(overview.headline(view))
    ui.built(ui.cached(overview.trend, view), tr, key="trend")
    st.header(tr.t("targets.heading"))
    for text in targets.progress(view):
        st.caption(text)
else:
    metrics, source = about.published_metrics(view)
    if metrics:
        st.header(tr.t("overview.published_heading"))
        st.info(tr.t("overview.published_note", source=source), icon=":material/menu_book:")
        ui.metrics(metrics)
    else:
        st.info(tr.t("common.no_data"))
