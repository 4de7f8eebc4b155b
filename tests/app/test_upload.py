"""Upload: validation report, preview, privacy warnings, save with prior versions; never a traceback."""

from __future__ import annotations

from dashboard.ingest.store import CaseStore

UPLOAD = "app_pages/upload.py"
XSS = "<img src=x onerror=alert(1)>"


def labs_csv(*rows: str) -> bytes:
    return ("Analyte,Reference range,Admission,Day 3\n" + "\n".join(rows) + "\n").encode()


def test_reupload_of_the_unchanged_seed_saves_nothing(app, upload, seed_files, store_root, page_text, table):
    at = upload(app(UPLOAD), seed_files)
    assert not at.exception
    assert "stored already with exactly this content" in page_text(at)
    preview = table(at, "upload_preview")
    assert set(preview["timepoint"]) == {"Admission", "After mPSL", "After DEX", "6 weeks after discharge"}
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert "Nothing saved: seed-sle-mas is unchanged" in page_text(at)
    assert list(CaseStore(store_root).versions("seed-sle-mas")["status"]) == ["current"]


def test_reupload_of_an_edited_seed_keeps_the_prior_version(app, upload, seed_files, store_root, page_text):
    edited = dict(seed_files, **{"case.toml": seed_files["case.toml"].replace(b'title = "', b'title = "Ed: ', 1)})
    at = upload(app(UPLOAD), edited)
    assert "saving keeps it as a prior version" in page_text(at)
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert "Saved seed-sle-mas" in page_text(at)
    assert list(CaseStore(store_root).versions("seed-sle-mas")["status"]) == ["current", "prior"]


def test_a_file_of_many_cases_imports_the_good_ones_and_names_the_bad(app, upload, store_root, page_text, table):
    cohort = (b"case_id,timepoint,analyte,value,unit\n"
              b"A-1,Admission,Ferritin,9560,ng/mL\nB-2,Admission,Ferritin,lots,ng/mL\n"
              b"C-3,Admission,Ferritin,800,ng/mL\nA-1,Day 7,Ferritin,550,ng/mL\n")
    at = upload(app(UPLOAD), {"cohort.csv": cohort})
    assert not at.exception
    assert "3 cases in this file: 2 can be imported, 1 with errors, left out" in page_text(at)
    cases = table(at, "upload_cases")
    assert cases[["case", "status", "errors", "observations"]].values.tolist() == [
        ["A-1", "ready", 0, 2], ["B-2", "has errors", 1, 0], ["C-3", "ready", 0, 1]]
    problems = table(at, "upload_problems")
    assert problems[["case", "row", "value"]].values.tolist() == [["B-2", "3", "lots"]]
    at.button(key="upload_save_all").click().run()
    assert not at.exception
    assert "Saved 2 case(s): A-1, C-3; unchanged (not saved again): none; not imported (errors): B-2" \
        in page_text(at)
    assert {"A-1", "C-3"} <= set(CaseStore(store_root).list_cases()["case_id"])


def test_a_new_case_is_saved_and_opens_in_the_case_view(app, upload, store_root, table, open_section):
    files = {"new-case.csv": labs_csv("Ferritin (ng/mL),6.2–138,5400,1200", "Platelets (10^9/L),150–400,40,90")}
    at = upload(app(UPLOAD), files)
    at.button(key="upload_save").click().run()
    assert CaseStore(store_root).exists("new-case")
    at.button(key="upload_open").click().run()
    assert not at.exception
    assert at.selectbox(key="case_pick").value == "new-case"
    at.switch_page("app_pages/case_view.py")  # AppTest reruns the page it was told, not the one switched to
    derived = table(open_section(at, "Data & export"), "case_derived")
    assert sorted(derived["analyte"].dropna().unique()) == ["ferritin", "platelets"]


def test_save_and_open_saves_the_case_and_shows_it_with_the_confirmation(app, upload, store_root, page_text,
                                                                         chart):
    files = {"save-open.csv": labs_csv("Ferritin (ng/mL),6.2–138,5400,1200", "Platelets (10^9/L),150–400,40,90")}
    at = upload(app(UPLOAD), files)
    at.button(key="upload_save_open").click().run()
    assert not at.exception
    assert list(CaseStore(store_root).versions("save-open")["status"]) == ["current"]
    assert at.selectbox(key="case_pick").value == "save-open"
    assert "Saved save-open (version " in page_text(at)
    ferritin = next(t for t in chart(at, "case_chart")["data"] if t.get("name") == "Ferritin")
    assert list(ferritin["y"]) == [5400, 1200]


def test_save_and_open_is_off_for_an_unchanged_case(app, upload, seed_files):
    at = upload(app(UPLOAD), seed_files)
    assert at.button(key="upload_save_open").disabled
    assert not at.button(key="upload_open").disabled


def test_a_broken_file_shows_its_problems_and_blocks_the_save(app, upload, store_root, page_text, table):
    at = upload(app(UPLOAD), {"labs.csv": b"\x00\x01\x02 this is not a table"})
    assert not at.exception
    assert "cannot be imported" in page_text(at)
    problems = table(at, "upload_problems")
    assert (problems["severity"] == "error").any()
    assert not [b for b in at.button if b.key == "upload_save"]


def test_a_decimal_comma_is_reported_with_file_row_and_column(app, upload, table):
    # a decimal comma alone is read (decided per file); beside decimal points it is an error
    at = upload(app(UPLOAD), {"labs.csv": b'Analyte,Admission\nFibrinogen (g/L),"3,5"\nFerritin (ng/mL),550.5\n'})
    assert not at.exception
    problems = table(at, "upload_problems")
    error = problems[problems["severity"] == "error"].iloc[0]
    assert error["file"] == "labs.csv" and error["value"] == "3,5"


def test_an_unmapped_html_label_is_shown_as_text(app, upload, page_text, table):
    at = upload(app(UPLOAD), {"xss.csv": labs_csv(f"{XSS},,1,2", "Ferritin (ng/mL),,900,300")})
    assert not at.exception
    preview = table(at, "upload_preview")
    assert XSS in set(preview["label"])
    assert preview.loc[preview["label"] == XSS, "analyte"].isna().all()
    # the warning names the label with every markup character escaped, and no element allows HTML
    assert any(r"\<img src=x onerror=alert\(1\)\>" in w.value for w in at.warning)
    assert XSS in page_text(at)
    assert not any(e.proto.allow_html for e in at.markdown)


def test_identifier_columns_raise_a_privacy_warning(app, upload, table):
    files = {"labs.csv": b"timepoint,analyte,value,unit,patient_name\nAdmission,Ferritin,900,ng/mL,Jane Doe\n"}
    at = upload(app(UPLOAD), files)
    assert not at.exception
    privacy = table(at, "upload_privacy")
    assert privacy["message"].str.contains("patient name").any()


def test_a_file_over_the_limit_gets_a_clear_message(app, upload, page_text, table):
    at = app(UPLOAD)
    limit_mb = 50  # .streamlit/config.toml server.maxUploadSize
    at = upload(at, {"huge.csv": b"0" * (limit_mb * 1024 * 1024 + 1)})
    assert not at.exception
    problems = table(at, "upload_problems")
    assert problems.loc[0, "message"] == "file too large: the limit is 50 MB per file"


def test_a_zip_of_the_seed_folder_is_accepted(app, upload, seed_files, table):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in seed_files.items():
            archive.writestr(f"seed-sle-mas/{name}", content)
    at = upload(app(UPLOAD), {"seed-sle-mas.zip": buffer.getvalue()})
    assert not at.exception
    preview = table(at, "upload_preview")
    assert preview.loc[preview["analyte"] == "ferritin", "value"].tolist() == [9560, 8580, 550, 290]
    assert [b.key for b in at.button if b.key == "upload_save"] == ["upload_save"]


def test_a_saved_case_with_html_in_its_title_and_label_opens_safely(app, upload, chart, page_text, open_section):
    toml = f'id = "xss-case"\ntitle = "{XSS} title"\nsource = "**bold** [link](http://x)"\n'.encode()
    files = {"labs.csv": labs_csv(f"{XSS},,1,2", "Ferritin (ng/mL),,900,300"), "case.toml": toml}
    at = upload(app(UPLOAD), files)
    at.button(key="upload_save").click().run()
    at.button(key="upload_open").click().run()
    assert not at.exception
    assert f"{XSS} title" in page_text(at)  # shown as the text it is
    assert "Source: **bold** [link](http://x)" in page_text(at)  # markdown inert too
    assert not any(e.proto.allow_html for e in at.markdown)
    at.switch_page("app_pages/case_view.py")  # AppTest reruns the page it was told, not the one switched to
    heatmap = str(chart(open_section(at, "Flags"), "case_heatmap"))
    assert XSS not in heatmap and "&lt;img src=x onerror=alert(1)&gt;" in heatmap


def test_a_failed_save_is_reported_not_raised(app, upload, seed_files, store_root, monkeypatch, page_text):
    def disk_full(self, case):
        raise OSError("disk full")

    edited = dict(seed_files, **{"case.toml": seed_files["case.toml"].replace(b'title = "', b'title = "Ed: ', 1)})
    at = upload(app(UPLOAD), edited)
    monkeypatch.setattr(CaseStore, "save", disk_full)
    at.button(key="upload_save").click().run()
    assert not at.exception
    assert "Could not save case seed-sle-mas: disk full" in page_text(at)
    assert list(CaseStore(store_root).versions("seed-sle-mas")["status"]) == ["current"]


def test_a_labs_table_without_timepoint_columns_is_an_error_not_an_empty_case(app, upload, store_root, table):
    at = upload(app(UPLOAD), {"empty-case.csv": b"Analyte,Reference range\nFerritin (ng/mL),6.2-138\n"})
    assert not at.exception
    problems = table(at, "upload_problems")
    assert problems[["severity", "file", "message"]].values.tolist()[0][:2] == ["error", "empty-case.csv"]
    assert "no timepoint column (wide)" in problems.loc[0, "message"]
    assert not [b for b in at.button if b.key == "upload_save"]
    assert not CaseStore(store_root).exists("empty-case")


def test_the_decimal_choice_overrides_detection_and_every_message_is_shown_whole(app, upload, table):
    """'1,260' alone is ambiguous (1.26 or 1260): detection refuses it with the whole message beside the
    table; the user's choice of separator, like case.toml's `decimal`, decides it."""
    files = {"labs.csv": b'Analyte,Admission\nFibrinogen (g/L),"1,260"\n'}
    at = upload(app(UPLOAD), files)
    assert not at.exception
    error = table(at, "upload_problems").query("severity == 'error'").iloc[0]
    assert error["value"] == "1,260"
    full = next(c.value for c in at.code)
    assert f"error: labs.csv:2:{error['column']} '1,260' — {error['message']}" in full.splitlines()
    at.segmented_control(key="upload_decimal").set_value("comma (3,5)").run()
    assert not at.exception
    assert table(at, "upload_preview")["value"].tolist() == [1.26]
