"""Sign in (Kirjautuminen): a password form, or the organisation's sign-in when OIDC is configured."""

import streamlit as st

from dashboard import auth

tr = auth.translator()
user = auth.current_user()
st.title(tr.t("signin.title"))
if user is not None:
    st.success(auth.describe(user, tr), icon=":material/verified_user:")
    if auth.may_upload(user):
        st.page_link(auth.UPLOAD_PAGE[2], label=tr.t("page.upload"), icon=auth.UPLOAD_PAGE[3])
    st.page_link(auth.HISTORY_PAGE[2], label=tr.t("page.history"), icon=auth.HISTORY_PAGE[3])
    if st.button(tr.t("signin.sign_out"), icon=":material/logout:"):
        auth.sign_out()
elif auth.oidc_configured():
    st.caption(tr.t("signin.oidc_intro"))
    auth.oidc_form(tr)
else:
    st.caption(tr.t("signin.intro"))
    auth.password_form(tr)
