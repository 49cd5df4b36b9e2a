"""Upload a file (Lataa tiedosto): choose, check, see every problem or a preview, confirm."""

import streamlit as st

from dashboard import auth, upload_ui

tr = auth.translator()
user = auth.current_user()
st.title(tr.t("page.upload"))
if not auth.may_upload(user):
    st.warning(tr.t("upload.sign_in_first"), icon=":material/lock:")
else:
    st.caption(tr.t("upload.intro"))
    upload_ui.samples(tr)
    upload_ui.last_result(tr)
    choice = upload_ui.choose(user, tr)
    checked = upload_ui.check(choice, user, tr) if choice is not None else None
    if checked is not None and checked.problems:
        upload_ui.problems(checked, choice, tr)
    elif checked is not None:
        upload_ui.preview(checked, choice, tr)
        upload_ui.confirm(checked, choice, user, tr)
