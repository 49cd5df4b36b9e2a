"""Upload history (Lataushistoria): every upload of a project with its status, and rollback."""

import streamlit as st

from dashboard import auth
from dashboard.upload import history

tr = auth.translator()
user = auth.current_user()
st.title(tr.t("page.history"))
if user is None:
    st.warning(tr.t("upload.sign_in_first"), icon=":material/lock:")
else:
    history.last_result()
    project = history.choose_project(user, tr)
    if project is not None:
        rows = history.history_table(project, tr)
        history.rollback_form(project, rows, user, tr)
