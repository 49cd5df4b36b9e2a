"""Sign in (Kirjautuminen): a password form, or the organisation's sign-in when OIDC is configured."""

import streamlit as st

from dashboard import auth, pages

tr = auth.translator()
user = auth.current_user()
st.title(tr.t("signin.title"))
if user is not None:
    st.success(auth.describe(user, tr), icon=":material/verified_user:")
    for page in (pages.by_name("upload"), pages.by_name("history")):
        if auth.may_open(user, page):
            st.page_link(page.file, label=tr.t(f"page.{page.name}"), icon=page.icon)
    if st.button(tr.t("signin.sign_out"), icon=":material/logout:"):
        auth.sign_out()
elif auth.oidc_configured():
    st.caption(tr.t("signin.oidc_intro"))
    auth.oidc_form(tr)
else:
    st.caption(tr.t("signin.intro"))
    auth.password_form(tr)
