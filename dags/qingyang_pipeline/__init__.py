"""Pure building blocks of the Qingyang collection pipelines.

No Airflow and no CKAN imports here: the DAG files in dags/ wire these
functions into TaskFlow tasks and do the I/O at the edges. Airflow does not
parse this folder for DAGs (dags/.airflowignore).
"""
