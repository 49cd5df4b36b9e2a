"""Upload a file (Lataa tiedosto): choose, check, see every problem or a preview, confirm."""

import streamlit as st

from dashboard import auth
from dashboard.upload import steps

tr = auth.translator()
user = auth.current_user()
st.title(tr.t("page.upload"))
if not auth.may_upload(user):
    st.warning(tr.t("upload.sign_in_first"), icon=":material/lock:")
else:
    st.caption(tr.t("upload.intro"))
    steps.samples(tr)
    steps.last_result(tr)
    choice = steps.choose(user, tr)
    checked = steps.check(choice, user, tr) if choice is not None else None
    if checked is not None and checked.problems:
        steps.problems(checked, choice, tr)
    elif checked is not None:
        steps.preview(checked, choice, tr)
        steps.confirm(checked, choice, user, tr)
