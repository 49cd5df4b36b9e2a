"""About the data (Tietoa aineistosta): reconciliation with the report, dictionary, uploads."""

import streamlit as st

from dashboard import ui
from dashboard.builders import about

view = ui.view()
tr = view.tr
ui.header(view, tr.t("about.title"))
if about.is_demo():
    st.header(tr.t("about.demo_heading"))
    st.warning(tr.t("about.demo_text"), icon=":material/science:")
ui.built(ui.cached(about.reconciliation, view), tr, key="reconciliation")
ui.built(ui.cached(about.dictionary, view), tr, key="dictionary")
ui.built(ui.cached(about.queries, view), tr, key="queries")
uploads = ui.cached(about.uploads, view)
if uploads.data.height:
    ui.built(uploads, tr, key="uploads")
else:
    st.header(uploads.title)
    st.info(tr.t("about.no_uploads"))
