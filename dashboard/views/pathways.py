"""Pathway outcomes (Jatkopolut): flows, the nine pathways, breakdowns, time to pathway, EU indicators."""

import streamlit as st

from dashboard import ui
from dashboard.builders import durations, eu_indicators, pathways

view = ui.view()
tr = view.tr
ui.header(view, tr.t("pathways.title"))
ui.built(pathways.sankey(view), tr, key="sankey")
table = pathways.pathway_table(view)
ui.built(table, tr, key="pathways", beside=True)
tabs = st.tabs([tr.t(f"pathways.by.{d}") for d in pathways.BY])
by = {}
for tab, dimension in zip(tabs, pathways.BY, strict=True):
    with tab:
        by[dimension] = pathways.pathway_by(view, dimension)
        ui.built(by[dimension], tr, key=f"by_{dimension}")
ui.built(durations.time_to_pathway(view, table, by["municipality_code"]), tr, key="durations")
ui.built(eu_indicators.esf(view), tr, key="esf")
