"""Pathway outcomes (Jatkopolut): flows, the nine pathways, breakdowns, time to pathway, EU indicators."""

import streamlit as st

from dashboard import ui
from dashboard.builders import durations, eu_indicators, pathways

view = ui.view()
tr = view.tr
ui.header(view, tr.t("pathways.title"))
ui.built(ui.cached(pathways.sankey, view), tr, key="sankey")
ui.built(ui.cached(pathways.pathway_table, view), tr, key="pathways", beside=True)
tabs = st.tabs([tr.t(f"pathways.by.{d}") for d in pathways.BY])
for tab, dimension in zip(tabs, pathways.BY, strict=True):
    with tab:
        ui.built(ui.cached(pathways.pathway_by, view, dimension), tr, key=f"by_{dimension}")
ui.built(ui.cached(durations.time_to_pathway, view), tr, key="durations")
ui.built(ui.cached(eu_indicators.esf, view), tr, key="esf")
