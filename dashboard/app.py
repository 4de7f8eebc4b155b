"""casetrack's Streamlit entry point: a router only (`streamlit run dashboard/app.py`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "app_pages"
# A file, served by the local server: a ":material/..." or emoji page icon makes every page fetch its
# favicon from an outside server (fonts.gstatic.com), which docs/privacy.md promises never happens.
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"

st.set_page_config(page_title="casetrack", page_icon=str(FAVICON), layout="wide")
st.navigation([
    st.Page(PAGES / "case_view.py", title="Case view", icon=":material/monitoring:", url_path="case", default=True),
    st.Page(PAGES / "library.py", title="Case library", icon=":material/folder_open:", url_path="library"),
    st.Page(PAGES / "upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page(PAGES / "import_table.py", title="Import a table", icon=":material/table_view:", url_path="import"),
    st.Page(PAGES / "cohort.py", title="Cohort", icon=":material/group:", url_path="cohort"),
    st.Page(PAGES / "presentation.py", title="Presentation mode", icon=":material/slideshow:", url_path="present"),
]).run()
