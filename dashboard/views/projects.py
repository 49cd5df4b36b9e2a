"""Projects side by side (Hankkeet): every project, its facts, and its figures computed or published."""

import streamlit as st

from dashboard import ui
from dashboard.builders import projects

view = ui.view()
tr = view.tr
ui.header(view, tr.t("projects.title"))
built = ui.cached(projects.table, view)
st.info(tr.t("projects.comparability"), icon=":material/balance:")
ui.built(built, tr, key="projects")
