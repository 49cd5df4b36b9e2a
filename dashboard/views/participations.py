"""Professional participations (Ammattilaisten osallistumiset): toward the total, by kind, by event."""

import streamlit as st

from dashboard import ui
from dashboard.builders import participations, targets

view = ui.view()
tr = view.tr
ui.header(view, tr.t("participations.title"), with_range=True)
st.caption(tr.t("participations.intro"))
if view.filters.age_group or view.filters.gender:
    st.info(tr.t("common.not_by_person"), icon=":material/info:")
events = participations.events(view)  # one row per event: as large as the data, not cached
ui.metrics(participations.headline(view, events), per_row=4)
ui.built(ui.cached(participations.cumulative, view), tr, key="cumulative")
for text in targets.progress(view, ("participations",)):
    st.caption(text)
if reach := participations.open_event_reach(view):
    st.info(reach, icon=":material/campaign:")
tabs = st.tabs([tr.t(f"participations.dimension.{d}") for d in participations.DIMENSIONS])
for tab, dimension in zip(tabs, participations.DIMENSIONS, strict=True):
    with tab:
        ui.built(ui.cached(participations.breakdown, view, dimension), tr, key=f"by_{dimension}", beside=True)
ui.built(events, tr, key="events")
titles = participations.event_titles(view, events, limit=ui.MAX_SHOWN)  # the events the table shows
if titles:
    pick = tr.t("participations.pick_event")
    chosen = st.selectbox(pick, list(titles), format_func=titles.get, key="event")
    detail = participations.event_attendance(view, chosen, titles[chosen])
    ui.built(detail, tr, key="attendance", beside=True)
else:
    st.info(tr.t("participations.no_events"))
