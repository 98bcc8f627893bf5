"""Every DAG in dags/ imports cleanly; the CKAN status DAG is there and sane."""


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}, "\n\n".join(
        f"{path}:\n{err}" for path, err in dagbag.import_errors.items()
    )


def test_dagbag_reads_the_repo_dags_folder(dagbag, dags_folder):
    assert dagbag.dags, f"no DAGs found in {dags_folder}"
    for dag in dagbag.dags.values():
        assert dag.fileloc.startswith(str(dags_folder)), dag.fileloc


def test_ckan_status_dag_present(dagbag):
    dag = dagbag.dags.get("qingyang_ckan_status")
    assert dag is not None, f"qingyang_ckan_status not in {sorted(dagbag.dags)}"
    assert dag.catchup is False
    assert {"qingyang", "ckan"} <= set(dag.tags)
    assert set(dag.task_ids) == {"fetch_status", "check_status"}
    assert dag.get_task("check_status").upstream_task_ids == {"fetch_status"}
